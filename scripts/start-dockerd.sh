#!/usr/bin/env bash
# Starts a Docker engine when none answers (this machine has no init system
# that would start one) and waits, bounded, until it does.
set -euo pipefail
if docker info >/dev/null 2>&1; then
  exit 0
fi
log=/var/log/dockerd-ci.log
echo "starting dockerd (log: $log)"
nohup dockerd >"$log" 2>&1 &
for _ in $(seq 1 60); do
  if docker info >/dev/null 2>&1; then
    docker version --format 'Docker engine {{.Server.Version}} ready'
    exit 0
  fi
  sleep 1
done
echo "dockerd did not answer within 60 s; last log lines:" >&2
tail -n 30 "$log" >&2
exit 1
