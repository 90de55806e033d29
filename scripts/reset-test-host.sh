#!/usr/bin/env bash
# Returns this machine to what a new user of the repository has before the
# README's two commands (a fresh Debian): nothing `npm test` provisions or
# leaves behind. For timing a first `npm test` from a new clone, as users
# meet it. It removes:
#   - the suites' second Docker engines (test/support/second-dockerd.ts): their
#     dockerd, exec and data roots, sockets, bridges (cdr-*) and FORWARD rules,
#     and the disk suite's XFS image (/var/lib/cdktf-docker-redis-*.xfs, whose
#     loop device goes with the unmount of the data root on it);
#   - Docker 28 (scripts/start-docker28.sh): its dockerd, root filesystem, data
#     root, socket, network namespace (cdr-docker28) and log;
#   - the cgroups of both (cgroup v1 and v2);
#   - every Docker engine on the machine and its state (the one
#     scripts/start-dockerd.sh started, or systemd's): test images, containers,
#     volumes, networks, /var/lib/docker and /var/lib/containerd;
#   - the Debian packages scripts/install-test-tools.sh installs (its
#     packages=(...) line, docker.io among them, and debootstrap from
#     backports), purged, and the dependencies only they needed;
#   - the build stamp, image manifest and backports apt lists
#     (/var/lib/cdktf-docker-redis-test), the package cache of the image build
#     (/var/cache/cdktf-docker-redis-test), its work directories, the dockerd
#     log, and the suites' temporary directories.
# The clone is left as it is (node_modules, the jsii build): take a new one.
#
# It stops Docker for everyone on the machine: never run it where others
# share the engine. Without --yes it changes nothing.
#
#   bash scripts/reset-test-host.sh --dry-run   print what it would do
#   sudo bash scripts/reset-test-host.sh --yes  do it
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
case "${1:-}" in
  --dry-run) DRY_RUN=1 ;;
  --yes) DRY_RUN=0 ;;
  *)
    echo "usage: $0 --dry-run | --yes (see the comment at its top: it removes Docker and its state)" >&2
    exit 2
    ;;
esac
if [ "$DRY_RUN" = 0 ] && [ "$(id -u)" != 0 ]; then
  echo "reset-test-host.sh --yes must run as root: sudo bash $0 --yes" >&2
  exit 2
fi

# Runs a step, or prints it on a dry run. Every change goes through here.
act() {
  if [ "$DRY_RUN" = 1 ]; then
    echo "would run: $*"
  else
    echo "running: $*"
    "$@"
  fi
}

# Whether process $1 runs the command $2.
runs() {
  [ -n "$1" ] && [ "$(cat "/proc/$1/comm" 2>/dev/null)" = "$2" ]
}

# Ends process $1 (a dockerd): TERM, at most 30 s for it to exit, then KILL.
stop_process() {
  local pid=$1
  act kill -TERM "$pid"
  [ "$DRY_RUN" = 1 ] && return 0
  for _ in $(seq 1 300); do
    runs "$pid" dockerd || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

# Unmounts everything under directory $1, deepest first (a dockerd's overlay and netns mounts).
unmount_under() {
  local dir=$1 mounts
  mounts=$(awk -v d="$dir" '$2 == d || index($2, d "/") == 1 { print $2 }' /proc/self/mounts | sort -r)
  for m in $mounts; do act umount -l "$m"; done
}

remove() {
  for p in "$@"; do
    if [ -e "$p" ] || [ -L "$p" ]; then act rm -rf "$p"; fi
  done
}

echo "== the suites' second Docker engines, Docker 28"
for pidfile in /run/cdktf-docker-redis-*.pid; do
  [ -e "$pidfile" ] || continue
  [ "$pidfile" = /run/cdktf-docker-redis-dockerd.pid ] && continue
  pid=$(cat "$pidfile")
  if runs "$pid" dockerd; then stop_process "$pid"; fi
done
for dir in /run/cdktf-docker-redis-* /var/lib/cdktf-docker-redis-*; do
  [ -d "$dir" ] && unmount_under "$dir"
done
for bridge in /sys/class/net/cdr-*; do
  if [ -e "$bridge" ]; then act ip link del "${bridge##*/}"; fi
done
if command -v iptables > /dev/null; then
  # The one rule each second engine adds: its own pool to itself.
  rules=$(iptables -S FORWARD 2>/dev/null || true)
  for pool in $(echo "$rules" | sed -n 's/^-A FORWARD -s \(10\.[0-9]*\.0\.0\/16\) -d \1 -j ACCEPT$/\1/p'); do
    act iptables -D FORWARD -s "$pool" -d "$pool" -j ACCEPT
  done
fi
# Docker 28's network namespace, with what its engine made in it.
for netns in /run/netns/cdr-*; do
  [ -e "$netns" ] && act ip netns delete "$(basename "$netns")"
done
# cgroup v2 has one hierarchy, v1 one per controller.
for cgroup in /sys/fs/cgroup/cdktf-docker-redis-* /sys/fs/cgroup/*/cdktf-docker-redis-*; do
  [ -d "$cgroup" ] && act rmdir "$cgroup"
done

echo "== Docker engines and their state"
if command -v systemctl > /dev/null && systemctl is-active --quiet docker 2>/dev/null; then
  act systemctl stop docker.socket docker.service containerd.service
fi
for pidfile in /run/cdktf-docker-redis-dockerd.pid /var/run/docker.pid; do
  [ -e "$pidfile" ] || continue
  pid=$(cat "$pidfile")
  if runs "$pid" dockerd; then stop_process "$pid"; fi
done
# The image build's work directories too: a killed build leaves its tmpfs (and its chroots' /proc) mounted.
for dir in /var/lib/docker /var/lib/containerd /run/docker /run/containerd /var/tmp/cdktf-docker-redis-images.*; do
  [ -d "$dir" ] && unmount_under "$dir"
done

echo "== Debian packages of scripts/install-test-tools.sh"
packages=$(sed -n 's/^packages=(\(.*\))$/\1/p' "$here/install-test-tools.sh")
if [ -z "$packages" ]; then
  echo "no packages=(...) line in $here/install-test-tools.sh" >&2
  exit 1
fi
# A package others on the machine depend on (openssl, by ca-certificates) is on a fresh Debian too, and
# purging it would take them along: it stays.
installed=()
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || continue
  # shellcheck disable=SC2086 # the package list, one word a package
  needed_by=$(apt-cache rdepends --installed --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces --no-enhances "$p" 2>/dev/null \
    | sed -n 's/^[ |]*//; 3,$p' | sort -u | grep -v -x -F -f <(printf '%s\n' $packages) | tr '\n' ' ' || true)
  if [ -n "$needed_by" ]; then
    echo "keeping $p: ${needed_by}need it"
  else
    installed+=("$p")
  fi
done
if [ "${#installed[@]}" -gt 0 ]; then
  act env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq "${installed[@]}"
  act env DEBIAN_FRONTEND=noninteractive apt-get autoremove --purge -y -qq
else
  echo "none installed"
fi

echo "== files"
remove /var/lib/docker /var/lib/containerd /run/docker /run/containerd /var/run/docker.sock /etc/docker \
  /var/lib/cdktf-docker-redis-* /run/cdktf-docker-redis-* /var/cache/cdktf-docker-redis-test \
  /var/log/dockerd-ci.log /var/log/cdktf-docker-redis-*.log /var/tmp/cdktf-docker-redis-images.* "${TMPDIR:-/tmp}"/cdktf-docker-redis-*

if [ "$DRY_RUN" = 1 ]; then
  echo "dry run: nothing was changed"
else
  echo "this machine has none of what npm test provisions; from a new clone: npm ci && npm run example, then npm test"
fi
