#!/usr/bin/env bash
# Starts a Docker engine when none answers (this machine has no init system
# that would start one) and waits, bounded, until it does.
set -euo pipefail
if docker info >/dev/null 2>&1; then
  exit 0
fi
# A daemon killed without cleanup (a session's processes are ended before CI
# runs) leaves pid files behind; dockerd refuses to start, or waits forever
# for its containerd, while they name a process that is not really running.
clear_stale_pidfile() {
  local file=$1 name=$2 pid state
  [ -f "$file" ] || return 0
  pid=$(cat "$file")
  state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || echo gone)
  if [ "$state" = gone ] || [ "$state" = Z ] || [ "$(cat "/proc/$pid/comm" 2>/dev/null)" != "$name" ]; then
    echo "removing stale $file (pid $pid: $state)"
    rm -f "$file"
  fi
}
clear_stale_pidfile /var/run/docker.pid dockerd
clear_stale_pidfile /var/run/docker/containerd/containerd.pid containerd
log=/var/log/dockerd-ci.log
echo "starting dockerd (log: $log)"
# A session and process group of its own, and none of the caller's open
# files (detached.sh says why).
# shellcheck source=scripts/detached.sh
. "$(cd "$(dirname "$0")" && pwd)/detached.sh"
run_detached "$log" dockerd
# The e2e suite restarts a daemon only when this marker says it started it.
echo "$DETACHED_PID" >/run/cdktf-docker-redis-dockerd.pid
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
