# shellcheck shell=sh # a Sentinel runs this as its command (sh -c): sentinelStartup in sentinel-conf.ts fills it in
set -eu
umask 077
if [ -f @STATE_FILE@ ]; then
  learned=$(grep -E '^sentinel (current-epoch |(config-epoch|leader-epoch|known-replica|known-sentinel) @MASTER@ )' @STATE_FILE@ || true)
  at=$(sed -n 's/^sentinel monitor @MASTER@ \([^ ]*\) \([0-9]*\) .*/\1 \2/p' @STATE_FILE@)
  if [ -n "$at" ]; then sed "s/^sentinel monitor @MASTER@ [^ ]* [0-9]* /sentinel monitor @MASTER@ $at /" @UPLOADED_CONF@; else cat @UPLOADED_CONF@; fi > @STATE_FILE@.new
  if [ -n "$learned" ]; then printf '%s\n' "$learned" >> @STATE_FILE@.new; fi
else
  cp @UPLOADED_CONF@ @STATE_FILE@.new
fi
mv @STATE_FILE@.new @STATE_FILE@
exec @SENTINEL@ @STATE_FILE@
