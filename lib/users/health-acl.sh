# shellcheck shell=sh # the Docker healthcheck (CMD-SHELL) of an instance with ACLs, as the health user: instance-users.ts fills it in
printf 'AUTH health %s\nPING\n' "$(cat @SECRET_FILE@)" | @CLI@ -p @PORT@ | grep -qx PONG
