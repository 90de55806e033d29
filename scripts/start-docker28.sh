#!/usr/bin/env bash
# Docker Engine 28 (forky's docker.io), the second engine the end-to-end
# suites run on (npm test's e2e-docker28 stage), next to the machine's own.
#
# It runs from a root filesystem of its own (debootstrap of forky with
# docker.io and what it depends on: containerd, runc, iptables, docker-proxy),
# with that root as its /, in a network namespace of its own (cdr-docker28). There it keeps
# its defaults: it creates its docker0 bridge and manages iptables, all of
# that namespace's own, so the machine's engine and its chains are never
# touched. Its socket, data root, exec root and pid file are its own:
#
#   socket     /run/cdktf-docker-redis-docker28.sock (DOCKER_HOST=unix://...)
#   pid file   /run/cdktf-docker-redis-docker28.pid
#   root       /var/lib/cdktf-docker-redis-docker28/root (its exec root inside
#              it: /run/docker)
#   data root  /var/lib/cdktf-docker-redis-docker28/data, bound onto the root's
#              /var/lib/docker (a rebuilt root keeps the images)
#   mounts     in a mount namespace of its own, whose root is that root
#              (nothing mounted on the machine's side)
#   cgroups    /sys/fs/cgroup/cdktf-docker-redis-docker28
#   log        /var/log/cdktf-docker-redis-docker28.log
#
# Its containers publish ports inside the namespace: clients run there too,
# `bash scripts/start-docker28.sh run CMD...` runs CMD in the namespace with
# DOCKER_HOST set (127.0.0.1 is then the engine's loopback, as on a host).
# No registry is reachable: it gets the test images (cdktf-docker-redis-test/*)
# from the machine's engine, and never pulls.
#
#   bash scripts/start-docker28.sh          build the root if it is not current, start, load the images
#   bash scripts/start-docker28.sh run CMD  start it if it is not running (images as they are), then CMD in its namespace
#   bash scripts/start-docker28.sh restart  stop it and start it again, as a host reboot does
#   bash scripts/start-docker28.sh stop     stop it (the root and data stay)
#   bash scripts/start-docker28.sh dockerd DATA_ROOT ARGS...
#                                           another dockerd 28 from the same root (see below)
#
# Everything is idempotent and every wait bounded. Environment:
#   TEST_IMAGE_PREFIX       the images copied (default cdktf-docker-redis-test)
#   TEST_IMAGES_CACHE       downloaded packages, shared with build-test-images.sh
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
  echo "start-docker28.sh must run as root (debootstrap, chroot, network namespaces): sudo bash $0" >&2
  exit 2
fi

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/detached.sh
. "$here/detached.sh"
NAME=cdktf-docker-redis-docker28
SUITE=forky
BASE=/var/lib/$NAME
ROOT=$BASE/root
DATA=$BASE/data
NETNS=cdr-docker28
SOCKET=/run/$NAME.sock
PIDFILE=/run/$NAME.pid
LOG=/var/log/$NAME.log
CGROUP_PARENT=/$NAME
PREFIX=${TEST_IMAGE_PREFIX:-cdktf-docker-redis-test}
CACHE_DIR=${TEST_IMAGES_CACHE:-/var/cache/cdktf-docker-redis-test}
PACKAGES=(docker.io iptables)
# What the root is made from: a change to this script or the archive's rebuilds it.
RECIPE=$(cat "$0" "$here/debian-archive.sh" | sha256sum | cut -c1-16)
STAMP=$BASE/root.stamp

log() { echo "[$(date +%H:%M:%S)] docker28: $*"; }
die() { echo "start-docker28.sh: $*" >&2; exit 1; }
with_timeout() { timeout --kill-after=10 "$1" "${@:2}"; }

in_root() {
  with_timeout 900 chroot "$ROOT" /usr/bin/env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    HOME=/root LC_ALL=C DEBIAN_FRONTEND=noninteractive "$@"
}

# Unmounts everything under $1, deepest first.
unmount_under() {
  local m
  # shellcheck disable=SC2013 # /proc/self/mounts escapes blanks in mount points (\040): one word is one line
  for m in $(awk -v d="$1" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/self/mounts | sort -r); do
    umount -l "$m"
  done
}

dockerd_pid() {
  local pid
  [ -f "$PIDFILE" ] || return 1
  pid=$(cat "$PIDFILE")
  [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ] || return 1
  echo "$pid"
}

answers() { DOCKER_HOST=unix://$SOCKET docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

stop_engine() {
  local pid
  if pid=$(dockerd_pid); then
    log "stopping dockerd $pid"
    kill -TERM "$pid"
    # Containers get their stop timeouts (the library's are at most 60 s).
    # Gone, or a zombie: when `run` started it, its parent is the command run, which never reaps it.
    local state
    for _ in $(seq 1 1200); do
      state=$(awk '{print $3}' "/proc/$pid/stat" 2>/dev/null || echo gone)
      [ "$state" = gone ] || [ "$state" = Z ] && break
      sleep 0.1
    done
    if [ "$state" != gone ] && [ "$state" != Z ]; then
      log "dockerd $pid did not stop within 120 s: killing it"
      kill -KILL "$pid" 2>/dev/null || true
    fi
  fi
  rm -f "$PIDFILE" "$SOCKET"
}

build_root() {
  [ "$(cat "$STAMP" 2>/dev/null)" = "$RECIPE" ] && [ -x "$ROOT/usr/sbin/dockerd" ] && return 0
  # shellcheck source=scripts/debian-archive.sh
  . "$here/debian-archive.sh"
  read_debian_archive
  stop_engine
  unmount_under "$ROOT"
  rm -rf "$ROOT" "$STAMP"
  mkdir -p "$BASE" "$CACHE_DIR/debootstrap/$SUITE"
  local t0=$SECONDS
  log "debootstrap --variant=minbase $SUITE (log: $BASE/build.log)"
  with_timeout 900 debootstrap --variant=minbase ${ARCHIVE_KEYRING:+--keyring="$ARCHIVE_KEYRING"} \
    --cache-dir="$CACHE_DIR/debootstrap/$SUITE" "$SUITE" "$ROOT" "$ARCHIVE_URI" >"$BASE/build.log" 2>&1 \
    || { tail -n 20 "$BASE/build.log" >&2; die "debootstrap of $SUITE failed (log: $BASE/build.log)"; }
  local keyring=
  if [ -n "$ARCHIVE_KEYRING" ]; then
    mkdir -p "$ROOT/etc/apt/keyrings"
    cp "$ARCHIVE_KEYRING" "$ROOT/etc/apt/keyrings/"
    keyring="[signed-by=/etc/apt/keyrings/$(basename "$ARCHIVE_KEYRING")] "
  fi
  echo "deb ${keyring}$ARCHIVE_URI $SUITE main" >"$ROOT/etc/apt/sources.list"
  # Package maintainer scripts must not start services in the build.
  printf '#!/bin/sh\nexit 101\n' >"$ROOT/usr/sbin/policy-rc.d"
  chmod 755 "$ROOT/usr/sbin/policy-rc.d"
  mount -t proc proc "$ROOT/proc"
  # forky's index may be served past its Valid-Until; signatures are still checked.
  local apt=(apt-get -q -o Acquire::Check-Valid-Until=false -o Acquire::Retries=3 -o Acquire::http::Timeout=60 -o Dpkg::Use-Pty=0)
  if ! in_root "${apt[@]}" update >>"$BASE/build.log" 2>&1 \
    || ! in_root "${apt[@]}" install -y --no-install-recommends "${PACKAGES[@]}" >>"$BASE/build.log" 2>&1; then
    umount "$ROOT/proc"
    tail -n 20 "$BASE/build.log" >&2
    die "installing ${PACKAGES[*]} in the $SUITE root failed (log: $BASE/build.log)"
  fi
  umount "$ROOT/proc"
  rm -f "$ROOT"/var/cache/apt/archives/*.deb
  # shellcheck disable=SC2016 # dpkg-query's format, not the shell's
  log "root built in $((SECONDS - t0)) s: docker.io $(in_root dpkg-query -W -f='${Version}' docker.io)"
  echo "$RECIPE" >"$STAMP"
}

# dockerd's own mount namespace, whose root is the forky root: bound onto
# itself, /proc, /sys (of its network namespace), the cgroups, /dev and the
# data root mounted in it, then pivot_root. A chroot is not enough: runc's
# `exec` joins a container's mount namespace, whose root would then be the
# machine's / and not the container's (docker exec and healthchecks would run
# the machine's binaries, or fail to chdir). The mounts are private to that
# namespace and go with it.
# Arguments: the root, "HOST_PATH:PATH_INSIDE ..." to bind, the command.
# shellcheck disable=SC2016 # the script bash -c runs: its $ are that shell's
ENTER_ROOT='
set -e
root=$1 binds=$2
shift 2
mount --bind "$root" "$root"
mount -t proc proc "$root/proc"
mount -t sysfs sysfs "$root/sys"
mount --rbind /sys/fs/cgroup "$root/sys/fs/cgroup"
mount --rbind /dev "$root/dev"
for bind in $binds; do
  mkdir -p "${bind%%:*}" "$root${bind#*:}"
  mount --rbind "${bind%%:*}" "$root${bind#*:}"
done
mkdir -p "$root/.machine"
cd "$root"
pivot_root . .machine
cd /
umount -l /.machine
exec /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "$@"
'

make_netns() {
  [ -e "/run/netns/$NETNS" ] || ip netns add "$NETNS"
  ip -n "$NETNS" link set lo up
}

start_engine() {
  if dockerd_pid >/dev/null && answers; then return 0; fi
  stop_engine
  make_netns
  mkdir -p "$DATA"
  # dockerd reads /etc/docker/daemon.json: none, so its defaults hold.
  rm -f "$ROOT/etc/docker/daemon.json"
  log "starting dockerd in network namespace $NETNS (log: $LOG)"
  # As start-dockerd.sh: a session of its own and none of the caller's open
  # files (detached.sh says why).
  run_detached "$LOG" unshare --mount --propagation private nsenter --net="/run/netns/$NETNS" bash -c "$ENTER_ROOT" enter-root "$ROOT" "$DATA:/var/lib/docker" \
    dockerd --host unix:///run/docker.sock --data-root /var/lib/docker --exec-root /run/docker --pidfile /run/docker.pid \
    --cgroup-parent "$CGROUP_PARENT"
  local launcher=$DETACHED_PID
  ln -sfn "$ROOT/run/docker.sock" "$SOCKET"
  for _ in $(seq 1 120); do
    if answers; then
      cp "$ROOT/run/docker.pid" "$PIDFILE"
      log "Docker engine $(DOCKER_HOST=unix://$SOCKET docker version --format '{{.Server.Version}}') ready on $SOCKET"
      return 0
    fi
    kill -0 "$launcher" 2>/dev/null || break
    sleep 0.5
  done
  echo "dockerd 28 did not answer within 60 s; last log lines:" >&2
  tail -n 30 "$LOG" >&2
  exit 1
}

# Copies every test image the machine's engine has and this one lacks (same id).
load_images() {
  local wanted=() tag id
  while read -r tag id; do
    [ "$(DOCKER_HOST=unix://$SOCKET docker image inspect --format '{{.Id}}' "$tag" 2>/dev/null)" = "$id" ] || wanted+=("$tag")
  done < <(DOCKER_HOST='' docker image ls --no-trunc --format '{{.Repository}}:{{.Tag}} {{.ID}}' | grep "^$PREFIX/" || true)
  [ "${#wanted[@]}" -gt 0 ] || return 0
  log "copying ${wanted[*]} from the machine's engine"
  DOCKER_HOST='' with_timeout 600 docker save "${wanted[@]}" | DOCKER_HOST=unix://$SOCKET with_timeout 600 docker load --quiet >/dev/null
}

case "${1:-start}" in
  start)
    build_root
    start_engine
    load_images ;;
  run)
    shift
    [ "$#" -gt 0 ] || die "usage: $0 run COMMAND [ARGS...]"
    build_root
    start_engine
    # nsenter, not ip netns exec: that one mounts a /sys without the cgroups, which engines started from CMD need.
    exec nsenter --net="/run/netns/$NETNS" env DOCKER_HOST="unix://$SOCKET" CDKTF_DOCKER_REDIS_TEST_ENGINE=docker28 "$@" ;;
  dockerd)
    # Another engine from this root, in the caller's network namespace, with
    # the machine's /run and its data root (the first argument) at their own
    # paths (test/support/second-dockerd.ts on Docker 28); the rest are dockerd's arguments.
    shift
    [ "$#" -gt 1 ] || die "usage: $0 dockerd DATA_ROOT DOCKERD_ARGS..."
    build_root
    data=$1
    shift
    exec unshare --mount --propagation private bash -c "$ENTER_ROOT" enter-root "$ROOT" "/run:/run $data:$data" dockerd "$@" ;;
  restart)
    stop_engine
    start_engine ;;
  stop)
    stop_engine ;;
  *)
    die "usage: $0 [start | run COMMAND... | restart | stop | dockerd DATA_ROOT ARGS...]" ;;
esac
