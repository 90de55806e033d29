# shellcheck shell=sh # the Docker healthcheck (CMD-SHELL) of an instance without ACLs (before Redis 6): instance-users.ts fills it in
pw=$(sed -n 's/^requirepass "\(.*\)"$/\1/p' @CONFIG_FILE@); printf 'AUTH %s\nPING\n' "$pw" | @CLI@ -p @PORT@ | grep -qx PONG
