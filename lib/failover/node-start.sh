# shellcheck shell=sh # a failover group's node runs this as its command (sh -c): node-startup.ts fills it in
set -eu
state=@STATE_FILE@
if [ -f "$state" ]; then role=$(grep -E '^(replicaof|slaveof) ' "$state" || true); else role=@INITIAL_ROLE@; fi
umask 077
{ cat @CONFIG_FILE@; if [ -n "$role" ]; then printf '%s\n' "$role"; fi; } > "$state.new"
mv "$state.new" "$state"
exec @SERVER@ "$state"
