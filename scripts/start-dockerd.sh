#!/usr/bin/env bash
# Starts a Docker engine when none answers (this machine has no init system
# that would start one) and waits, bounded, until it does.
set -euo pipefail
if docker info >/dev/null 2>&1; then
  exit 0
fi
# A daemon killed without cleanup (a session's processes are ended before CI
# runs) leaves its pid file behind, and dockerd refuses to start while it exists.
pidfile=/var/run/docker.pid
if [ -f "$pidfile" ]; then
  pid=$(cat "$pidfile")
  state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || echo gone)
  if [ "$state" = gone ] || [ "$state" = Z ] || [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != dockerd ]; then
    echo "removing stale $pidfile (pid $pid: $state)"
    rm -f "$pidfile"
  fi
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
