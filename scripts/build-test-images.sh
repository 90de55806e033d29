#!/usr/bin/env bash
# Builds the images the end-to-end suite runs, from this machine's Debian
# binaries, because no image registry is reachable here:
#   cdktf-docker-redis-test/redis:7.0    redis-server + redis-cli, busybox for the healthcheck shell
#   cdktf-docker-redis-test/haproxy:2.6  haproxy
# Each is a minimal root filesystem (binaries, their shared libraries, passwd
# entries with the official images' users) imported with `docker import`.
set -euo pipefail

REDIS_TAG=${REDIS_TEST_IMAGE:-cdktf-docker-redis-test/redis:7.0}
HAPROXY_TAG=${HAPROXY_TEST_IMAGE:-cdktf-docker-redis-test/haproxy:2.6}

copy_with_libs() {
  local root=$1; shift
  for bin in "$@"; do
    cp -L --parents "$bin" "$root"
    ldd "$bin" | grep -o '/[^ ]*' | while read -r lib; do cp -L --parents "$lib" "$root"; done
  done
}

base_rootfs() {
  local root=$1
  # No /usr/local/etc/{redis,haproxy}, as in the official images: the e2e suite
  # then shows that uploads create their parent directories.
  mkdir -p "$root"/{bin,etc,tmp,data,var/lib/haproxy}
  chmod 1777 "$root/tmp"
  cp /bin/busybox "$root/bin/busybox"
  for tool in sh sleep sed grep cat ls id ps df; do ln -s busybox "$root/bin/$tool"; done
  # The official images' users: redis is 999 in the redis image, haproxy 99 in the haproxy image.
  printf 'root:x:0:0:root:/root:/bin/sh\nredis:x:999:999::/data:/bin/sh\nhaproxy:x:99:99::/var/lib/haproxy:/bin/sh\n' >"$root/etc/passwd"
  printf 'root:x:0:\nredis:x:999:\nhaproxy:x:99:\n' >"$root/etc/group"
  chown 999:999 "$root/data"
}

build() {
  local tag=$1; shift
  local work
  work=$(mktemp -d)
  base_rootfs "$work/root"
  copy_with_libs "$work/root" "$@"
  tar -C "$work/root" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'WORKDIR /data' \
    - "$tag" >/dev/null
  rm -rf "$work"
  echo "built $tag ($(docker image inspect --format '{{.Size}}' "$tag") bytes)"
}

build "$REDIS_TAG" /usr/bin/redis-server /usr/bin/redis-cli
build "$HAPROXY_TAG" /usr/sbin/haproxy
