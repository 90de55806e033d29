#!/usr/bin/env bash
# Builds the Docker images the test suites run, because no image registry is
# reachable here: each is a real minimal Debian root
# filesystem (`debootstrap --variant=minbase`, one per suite, copied for each
# image) plus the server packages (`--no-install-recommends`), with the
# official image's user, uid, binary names, /data and WORKDIR, imported with
# `docker import`.
#
#   tag (under $TEST_IMAGE_PREFIX)  suite                 packages
#   redis:6.0                       bullseye              redis-server redis-tools
#   redis:7.0                       bookworm              redis-server redis-tools
#   redis:8.0                       trixie                redis-server redis-tools
#   valkey:8.0                      bookworm + backports  valkey-server valkey-tools
#   valkey:8.1                      trixie                valkey-server valkey-tools
#   valkey:9.1                      forky                 valkey-server valkey-tools
#   haproxy:2.6                     bookworm              haproxy ca-certificates
#   haproxy:3.0                     trixie                haproxy ca-certificates
#   haproxy:3.2                     forky                 haproxy ca-certificates
#   redis-exporter:1.69             trixie                prometheus-redis-exporter ca-certificates
#
# The tag's major.minor is read from dpkg inside the image; a suite that moved
# to another version fails the build instead of tagging it wrongly. Packages
# come only from the Debian archive named in this machine's own apt sources
# (see debian-archive.sh), whose sources and lists are left untouched.
#
# An image whose tag exists with the labels of this recipe is kept, so running
# this twice costs nothing the second time. Environment:
#   TEST_IMAGE_PREFIX      repository prefix (default cdktf-docker-redis-test)
#   REBUILD_TEST_IMAGES=1  rebuild every image even when it is up to date
#   TEST_IMAGES            only these, e.g. "redis:8.0 haproxy:3.2" (default: all)
#   TEST_IMAGES_MANIFEST   where the JSON list of the images goes (those built or
#                          kept by this run; default /var/lib/cdktf-docker-redis-test/images.json)
#   TEST_IMAGES_CACHE      downloaded packages, kept between runs
#                          (default /var/cache/cdktf-docker-redis-test)
#   TEST_IMAGES_WORKDIR    where root filesystems are assembled, removed on exit
#                          (default /var/tmp)
#   TEST_IMAGES_TMPFS=0    assemble them on that disk instead of a tmpfs mounted
#                          there (about 1.5 GB of memory at the peak)
#   TEST_IMAGES_TIMEOUT    seconds any one debootstrap, apt or docker step may take
#                          (default 900)
set -euo pipefail

if [ "$(id -u)" != 0 ]; then
  echo "build-test-images.sh must run as root (debootstrap, chroot and docker import need it): sudo bash $0" >&2
  exit 2
fi

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=scripts/debian-archive.sh
. "$here/debian-archive.sh"

PREFIX=${TEST_IMAGE_PREFIX:-cdktf-docker-redis-test}
REBUILD=${REBUILD_TEST_IMAGES:-0}
ONLY=${TEST_IMAGES:-}
MANIFEST=${TEST_IMAGES_MANIFEST:-/var/lib/cdktf-docker-redis-test/images.json}
CACHE_DIR=${TEST_IMAGES_CACHE:-/var/cache/cdktf-docker-redis-test}
WORK_PARENT=${TEST_IMAGES_WORKDIR:-/var/tmp}
STEP_TIMEOUT=${TEST_IMAGES_TIMEOUT:-900}
USE_TMPFS=${TEST_IMAGES_TMPFS:-1}
LABEL=cdktf-docker-redis-test
IMAGE_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# name | engine | expected major.minor | suite | packages (pkg/suite picks another suite)
IMAGES=(
  "redis:6.0|redis|6.0|bullseye|redis-server redis-tools"
  "redis:7.0|redis|7.0|bookworm|redis-server redis-tools"
  "redis:8.0|redis|8.0|trixie|redis-server redis-tools"
  "valkey:8.0|valkey|8.0|bookworm|valkey-server/bookworm-backports valkey-tools/bookworm-backports"
  "valkey:8.1|valkey|8.1|trixie|valkey-server valkey-tools"
  # forky's valkey needs a sysusers and a tmpfiles implementation; without the
  # standalone ones apt picks the first alternative, all of systemd.
  "valkey:9.1|valkey|9.1|forky|valkey-server valkey-tools systemd-standalone-sysusers systemd-standalone-tmpfiles"
  # The official HAProxy and exporter images carry the system CA certificates.
  "haproxy:2.6|haproxy|2.6|bookworm|haproxy ca-certificates"
  "haproxy:3.0|haproxy|3.0|trixie|haproxy ca-certificates"
  "haproxy:3.2|haproxy|3.2|forky|haproxy ca-certificates"
  "redis-exporter:1.69|redis-exporter|1.69|trixie|prometheus-redis-exporter ca-certificates"
)

# What each engine's official image has (Dockerfiles of docker-library/redis,
# valkey-io/valkey-container, docker-library/haproxy, oliver006/redis_exporter).
# Sets E_USER E_UID E_GID (user the server runs as), E_SERVER, E_CLI, E_BINARIES
# (official names, on PATH unless absolute), E_DEBIAN (Debian's server binary),
# E_CHANGES (docker import changes).
engine_facts() {
  case $1 in
    redis)
      E_USER=redis E_UID=999 E_GID=999 E_SERVER=redis-server E_CLI=redis-cli E_DEBIAN=/usr/bin/redis-server
      E_BINARIES=(redis-server redis-cli redis-benchmark redis-check-aof redis-check-rdb redis-sentinel)
      E_CHANGES=('WORKDIR /data' 'VOLUME /data' 'EXPOSE 6379' 'CMD ["redis-server"]') ;;
    valkey)
      # valkey's `make install` adds redis-* symlinks (USE_REDIS_SYMLINKS=yes).
      E_USER=valkey E_UID=999 E_GID=999 E_SERVER=valkey-server E_CLI=valkey-cli E_DEBIAN=/usr/bin/valkey-server
      E_BINARIES=(valkey-server valkey-cli valkey-benchmark valkey-check-aof valkey-check-rdb valkey-sentinel
        redis-server redis-cli redis-benchmark redis-check-aof redis-check-rdb redis-sentinel)
      E_CHANGES=('WORKDIR /data' 'EXPOSE 6379' 'CMD ["valkey-server"]') ;;
    haproxy)
      E_USER=haproxy E_UID=99 E_GID=99 E_SERVER=haproxy E_CLI='' E_DEBIAN=/usr/sbin/haproxy
      E_BINARIES=(haproxy)
      E_CHANGES=('WORKDIR /var/lib/haproxy' 'USER haproxy' 'CMD ["haproxy", "-f", "/usr/local/etc/haproxy/haproxy.cfg"]') ;;
    redis-exporter)
      # The official image has no user name, only the numeric USER.
      E_USER='' E_UID=59000 E_GID=59000 E_SERVER=/redis_exporter E_CLI='' E_DEBIAN=/usr/bin/prometheus-redis-exporter
      E_BINARIES=(/redis_exporter)
      E_CHANGES=('USER 59000:59000' 'EXPOSE 9121' 'ENTRYPOINT ["/redis_exporter"]') ;;
    *) echo "unknown engine $1" >&2; return 1 ;;
  esac
}

# Images whose build changes must come from this recipe: its hash is a label.
RECIPE=$(cat "$0" "$here/debian-archive.sh" | sha256sum | cut -c1-16)

log() { echo "[$(date +%H:%M:%S)] $*"; }
# In a suite job, the reason is also kept for the summary after all jobs end.
die() {
  echo "build-test-images.sh: $*" >&2
  [ -z "${JOB_ERRORS:-}" ] || echo "$*" >>"$JOB_ERRORS"
  exit 1
}

# 7.0 from 5:7.0.15-1~deb12u7, 1.69 from 1.69.0-1
major_minor() { sed -E 's/^[0-9]+://; s/^([0-9]+)\.([0-9]+).*/\1.\2/' <<<"$1"; }
# 8.1.1 from 8.1.1+dfsg1-3+deb13u3
upstream_version() { sed -E 's/^[0-9]+://; s/-[^-]*$//; s/[+~].*$//' <<<"$1"; }

with_timeout() { timeout --kill-after=10 "$STEP_TIMEOUT" "$@"; }

in_chroot() {
  local root=$1; shift
  with_timeout chroot "$root" /usr/bin/env -i PATH="$IMAGE_PATH" HOME=/root LC_ALL=C \
    DEBIAN_FRONTEND=noninteractive DEBCONF_NONINTERACTIVE_SEEN=true "$@"
}

apt_in_chroot() {
  local root=$1; shift
  # Testing suites carry a Valid-Until a week ahead, and the archive reachable
  # here may serve forky's index past it; signatures are still checked.
  in_chroot "$root" apt-get -q -o Acquire::Check-Valid-Until=false -o Acquire::Retries=3 -o Acquire::http::Timeout=60 \
    -o Acquire::Languages=none -o Dpkg::Use-Pty=0 "$@"
}

# apt sources of a root filesystem: the machine's archive and keyring.
write_chroot_sources() {
  local root=$1; shift
  local suite keyring=
  if [ -n "$ARCHIVE_KEYRING" ]; then keyring="[signed-by=/etc/apt/keyrings/$(basename "$ARCHIVE_KEYRING")] "; fi
  : >"$root/etc/apt/sources.list"
  for suite in "$@"; do echo "deb ${keyring}$ARCHIVE_URI $suite main" >>"$root/etc/apt/sources.list"; done
}

# ---------------------------------------------------------------------------
# One suite: debootstrap once, then each of its images from a copy.

build_base() {
  local suite=$1 extra_suites=$2 t0=$SECONDS
  local base=$work/base-$suite
  log "[$suite] debootstrap --variant=minbase $suite"
  mkdir -p "$CACHE_DIR/debootstrap/$suite"
  local t1
  with_timeout debootstrap --variant=minbase ${ARCHIVE_KEYRING:+--keyring="$ARCHIVE_KEYRING"} \
    --cache-dir="$CACHE_DIR/debootstrap/$suite" "$suite" "$base" "$ARCHIVE_URI" \
    >>"$work/$suite.log" 2>&1 || { tail -n 20 "$base/debootstrap/debootstrap.log" 2>/dev/null; die "debootstrap of $suite failed (log: above and $work/$suite.log)"; }
  log "[$suite] debootstrap done in $((SECONDS - t0)) s"
  rm -f "$base"/var/cache/apt/archives/*.deb
  if [ -n "$ARCHIVE_KEYRING" ]; then
    mkdir -p "$base/etc/apt/keyrings"
    cp "$ARCHIVE_KEYRING" "$base/etc/apt/keyrings/"
  fi
  # shellcheck disable=SC2086 # a list of suites, one word a suite
  write_chroot_sources "$base" "$suite" $extra_suites
  # Package maintainer scripts must not start services in the build.
  printf '#!/bin/sh\nexit 101\n' >"$base/usr/sbin/policy-rc.d"
  chmod 755 "$base/usr/sbin/policy-rc.d"
  # As in Debian's slim images: no documentation, manual pages or translations
  # (copyright files stay), for the base and for every package installed later.
  cat >"$base/etc/dpkg/dpkg.cfg.d/excludes" <<'EOF'
path-exclude=/usr/share/doc/*
path-include=/usr/share/doc/*/copyright
path-exclude=/usr/share/man/*
path-exclude=/usr/share/info/*
path-exclude=/usr/share/locale/*
path-include=/usr/share/locale/locale.alias
path-exclude=/usr/share/lintian/*
EOF
  find "$base/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  find "$base/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$base"/usr/share/man/* "$base"/usr/share/info/* "$base"/usr/share/lintian/*
  find "$base/usr/share/locale" -mindepth 1 -maxdepth 1 -not -name locale.alias -exec rm -rf {} +
  t1=$SECONDS
  apt_in_chroot "$base" update >>"$work/$suite.log" 2>&1 || die "apt-get update in the $suite root filesystem failed (log: $work/$suite.log)"
  log "[$suite] apt-get update done in $((SECONDS - t1)) s"
  log "[$suite] base ready in $((SECONDS - t0)) s"
}

create_user() {
  local root=$1 engine=$2
  case $engine in
    redis | valkey)
      # As the official Dockerfiles: before the package, whose postinst then keeps it.
      in_chroot "$root" groupadd -r -g "$E_GID" "$E_USER"
      in_chroot "$root" useradd -r -g "$E_USER" -u "$E_UID" "$E_USER" ;;
  esac
}

# HAProxy's official uid and gid, 99, are below adduser's system range (100-999):
# Debian's postinst refuses such an existing user. So the package creates its
# user, and here it gets the official ids, with every file it owned.
renumber_user() {
  local root=$1 user=$2 uid=$3 gid=$4 old_uid old_gid
  old_uid=$(in_chroot "$root" id -u "$user") || die "$CURRENT: the package created no user $user"
  old_gid=$(in_chroot "$root" id -g "$user")
  [ "$old_uid:$old_gid" != "$uid:$gid" ] || return 0
  if in_chroot "$root" getent passwd "$uid" >/dev/null || in_chroot "$root" getent group "$gid" >/dev/null; then
    die "$CURRENT: uid $uid or gid $gid is taken in the root filesystem, $user cannot have it"
  fi
  in_chroot "$root" groupmod -g "$gid" "$user"
  in_chroot "$root" usermod -u "$uid" -g "$gid" "$user"
  find "$root" -xdev -uid "$old_uid" -exec chown -h "$uid" {} +
  find "$root" -xdev -gid "$old_gid" -exec chgrp -h "$gid" {} +
}

# /usr/local/bin/NAME (or the absolute official path) -> Debian's binary.
link_official() {
  local root=$1 official=$2 target=$3
  [ -e "$root$target" ] || die "$CURRENT: Debian's packages have no $target for the official $official"
  mkdir -p "$root$(dirname "$official")"
  ln -sfn "$target" "$root$official"
}

finish_engine() {
  local root=$1 engine=$2 name debian
  case $engine in
    redis | valkey)
      for name in "${E_BINARIES[@]}"; do
        # valkey-cli for redis-cli in the valkey image; the server binary for
        # the names the official image links to it (check-*, sentinel).
        debian=/usr/bin/${name/#redis-/$engine-}
        [ -e "$root$debian" ] || debian=$E_DEBIAN
        link_official "$root" "/usr/local/bin/$name" "$debian"
      done
      mkdir -p "$root/data"
      chown "$E_UID:$E_GID" "$root/data"
      if [ "$engine" = valkey ]; then
        # valkey-container: /data and /run/valkey are valkey's, mode 1777.
        mkdir -p "$root/run/valkey"
        chown "$E_UID:$E_GID" "$root/run/valkey"
        chmod 1777 "$root/data" "$root/run/valkey"
      fi ;;
    haproxy)
      link_official "$root" /usr/local/sbin/haproxy "$E_DEBIAN"
      # The official image has the upstream error pages here (not a config).
      mkdir -p "$root/usr/local/etc/haproxy"
      if [ -d "$root/usr/share/haproxy/errors" ]; then cp -a "$root/usr/share/haproxy/errors" "$root/usr/local/etc/haproxy/errors"
      elif [ -d "$root/etc/haproxy/errors" ]; then cp -a "$root/etc/haproxy/errors" "$root/usr/local/etc/haproxy/errors"; fi ;;
    redis-exporter)
      link_official "$root" /redis_exporter "$E_DEBIAN" ;;
  esac
}

clean_rootfs() {
  local root=${1:?}
  rm -f "$root/usr/sbin/policy-rc.d"
  # shellcheck disable=SC2115 # root is never empty (checked above)
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/* "$root"/var/cache/debconf/*-old \
    "$root"/var/lib/dpkg/*-old "$root"/tmp/* "$root"/var/tmp/* "$root"/root/.cache "$root"/dev/*
  find "$root/var/log" -type f -delete
  mkdir -p "$root/var/lib/apt/lists/partial" "$root/var/cache/apt/archives/partial"
  # Docker provides these per container; the build machine's stay out.
  : >"$root/etc/resolv.conf"
  : >"$root/etc/hostname"
}

build_image() {
  local name=$1 engine=$2 expect=$3 suite=$4 packages=$5
  local t0=$SECONDS root pkg pkg_suite p debver found tag tls extra_suites=
  root=$work/rootfs-${name//[:\/]/-}
  CURRENT="image $name (suite $suite)"
  engine_facts "$engine"
  pkg=${packages%% *}
  pkg_suite=$suite
  [ "$pkg" = "${pkg%%/*}" ] || pkg_suite=${pkg#*/}
  pkg=${pkg%%/*}
  for p in $packages; do
    [ "$p" = "${p%%/*}" ] || case " $extra_suites " in *" ${p#*/} "*) ;; *) extra_suites="$extra_suites ${p#*/}" ;; esac
  done
  log "[$suite] $name: $packages"
  cp -a "$work/base-$suite" "$root"
  # shellcheck disable=SC2086 # a list of suites, one word a suite
  write_chroot_sources "$root" "$suite" $extra_suites
  create_user "$root" "$engine"

  # Downloaded packages are kept between runs (hard links, same file system
  # when possible), and never left in the image.
  local debs=$CACHE_DIR/apt/$suite
  mkdir -p "$debs"
  find "$debs" -maxdepth 1 -name '*.deb' -exec cp -l -t "$root/var/cache/apt/archives/" {} + 2>/dev/null \
    || find "$debs" -maxdepth 1 -name '*.deb' -exec cp -t "$root/var/cache/apt/archives/" {} +
  # Some maintainer scripts (systemd-tmpfiles in forky's valkey) need /proc.
  mount -t proc proc "$root/proc"
  # shellcheck disable=SC2086 # a list of packages, one word a package
  apt_in_chroot "$root" install -y --no-install-recommends $packages >>"$work/$suite.log" 2>&1 \
    || { umount "$root/proc"; die "$CURRENT: apt-get install $packages failed"; }
  umount "$root/proc"
  find "$root/var/cache/apt/archives" -maxdepth 1 -name '*.deb' -exec cp -n -l -t "$debs/" {} + 2>/dev/null \
    || find "$root/var/cache/apt/archives" -maxdepth 1 -name '*.deb' -exec cp -n -t "$debs/" {} +

  # shellcheck disable=SC2016 # dpkg-query's format, not the shell's
  debver=$(in_chroot "$root" dpkg-query -W -f='${Version}' "$pkg") || die "$CURRENT: $pkg is not installed"
  found=$(major_minor "$debver")
  if [ "$found" != "$expect" ]; then
    die "$CURRENT: expected $pkg $expect from $pkg_suite, found $found ($debver). The suite moved: update the IMAGES table in scripts/build-test-images.sh and the tests that use $name."
  fi
  # shellcheck disable=SC2016 # dpkg-query's format, not the shell's
  if in_chroot "$root" dpkg-query -W -f='${Status}' systemd 2>/dev/null | grep -q 'install ok installed'; then
    die "$CURRENT: the packages pulled in all of systemd; name the standalone alternatives in the IMAGES table"
  fi
  if [ "$engine" = haproxy ]; then
    renumber_user "$root" haproxy "$E_UID" "$E_GID"
    mkdir -p "$root/var/lib/haproxy"
    chown "$E_UID:$E_GID" "$root/var/lib/haproxy"
  fi
  if [ -n "$E_USER" ]; then
    [ "$(in_chroot "$root" id -u "$E_USER"):$(in_chroot "$root" id -g "$E_USER")" = "$E_UID:$E_GID" ] \
      || die "$CURRENT: user $E_USER is $(in_chroot "$root" id "$E_USER") after the install, expected $E_UID:$E_GID"
  fi
  finish_engine "$root" "$engine"
  # tls: the server speaks TLS itself (Redis and Valkey built with it, HAProxy
  # linked with OpenSSL; the exporter is Go, whose TLS is built in).
  tls=true
  [ "$engine" = redis-exporter ] || grep -q 'libssl\.so' "$root$(in_chroot "$root" readlink -f "$E_DEBIAN")" || tls=false
  clean_rootfs "$root"

  tag=$PREFIX/${name%%:*}:$found
  local changes=(--change "ENV PATH=$IMAGE_PATH")
  local upstream var
  upstream=$(upstream_version "$debver")
  case $engine in
    redis) var=REDIS_VERSION ;; valkey) var=VALKEY_VERSION ;; haproxy) var=HAPROXY_VERSION ;; *) var= ;;
  esac
  [ -z "$var" ] || changes+=(--change "ENV $var=$upstream")
  for p in "${E_CHANGES[@]}"; do changes+=(--change "$p"); done
  changes+=(--change "LABEL $LABEL.engine=\"$engine\" $LABEL.version=\"$found\" $LABEL.package=\"$pkg\" $LABEL.debian-version=\"$debver\" $LABEL.suite=\"$suite\" $LABEL.package-suite=\"$pkg_suite\" $LABEL.tls=\"$tls\" $LABEL.recipe=\"$RECIPE\"")
  local id
  id=$(tar --numeric-owner -C "$root" -c . | with_timeout docker import "${changes[@]}" -) || die "$CURRENT: docker import failed"
  rm -rf --one-file-system "$root"
  if [ "$engine" = haproxy ]; then
    # `docker import` cannot set STOPSIGNAL; the official image stops gracefully on SIGUSR1.
    local imported=$id
    id=$(printf 'FROM %s\nSTOPSIGNAL SIGUSR1\n' "$imported" | DOCKER_BUILDKIT=0 with_timeout docker build -q - 2>>"$work/$suite.log") \
      || { docker image rm "$imported" >/dev/null 2>&1 || true; die "$CURRENT: docker build of the STOPSIGNAL layer failed"; }
  fi
  local old
  old=$(docker image inspect --format '{{.Id}}' "$tag" 2>/dev/null || true)
  docker tag "$id" "$tag"
  if [ -n "$old" ] && [ "$old" != "$id" ]; then
    docker image rm "$old" >/dev/null 2>&1 \
      || echo "note: the previous $tag ($old) is still used by a container or another tag; left in place"
  fi
  printf '%s\n' "$name" "$tag" "$engine" "$found" "$debver" "$suite" "$pkg_suite" "$tls" "$id" "$((SECONDS - t0))" built \
    >"$work/out/${name//[:\/]/-}"
  log "[$suite] $name: built $tag ($debver) in $((SECONDS - t0)) s"
}

build_suite() {
  local suite=$1 t0=$SECONDS entry extra=
  shift
  JOB_ERRORS=$work/$suite.error
  for entry in "$@"; do
    IFS='|' read -r _ _ _ _ packages <<<"$entry"
    for p in $packages; do
      [ "$p" = "${p%%/*}" ] || case " $extra " in *" ${p#*/} "*) ;; *) extra="$extra ${p#*/}" ;; esac
    done
  done
  build_base "$suite" "$extra"
  for entry in "$@"; do
    IFS='|' read -r name engine expect _ packages <<<"$entry"
    build_image "$name" "$engine" "$expect" "$suite" "$packages"
  done
  rm -rf --one-file-system "$work/base-$suite"
  log "[$suite] done in $((SECONDS - t0)) s"
}

# ---------------------------------------------------------------------------

command -v debootstrap >/dev/null || die "debootstrap is not installed: run scripts/install-test-tools.sh"
with_timeout docker info >/dev/null 2>&1 || die "no Docker engine answers: run scripts/start-dockerd.sh"
read_debian_archive

t_start=$SECONDS
work=$(mktemp -d "$WORK_PARENT/cdktf-docker-redis-images.XXXXXX")
jobs_started=()
cleanup() {
  local pid mnt
  # Each suite job is a process group of its own (set -m): end it whole.
  for pid in "${jobs_started[@]}"; do kill -- "-$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  # A job ended in the middle of an install leaves its chroot's /proc mounted.
  # shellcheck disable=SC2013 # /proc/mounts escapes blanks in mount points (\040): one word is one line
  for mnt in $(awk -v w="$work/" 'index($2, w) == 1 { print $2 }' /proc/mounts | sort -r); do
    umount -l "$mnt" 2>/dev/null || true
  done
  if mountpoint -q "$work"; then umount "$work" 2>/dev/null || umount -l "$work"; fi
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
# Root filesystems are assembled in memory: dpkg syncs every file it writes,
# which on disk costs a third of the build. Discarded with the mount.
if [ "$USE_TMPFS" = 1 ]; then mount -t tmpfs -o size=8g,mode=0700 cdktf-docker-redis-images "$work"; fi
mkdir -p "$work/out"

# Untagged images of earlier builds that were still in use then.
sweep_dangling() {
  local id
  for id in $(docker image ls -q --filter dangling=true --filter "label=$LABEL.recipe"); do
    docker image rm "$id" >/dev/null 2>&1 || true
  done
}
sweep_dangling

# Which images are up to date (same tag, labels of this recipe) and which to build.
selected=()
for entry in "${IMAGES[@]}"; do
  IFS='|' read -r name _ _ _ _ <<<"$entry"
  if [ -z "$ONLY" ] || [[ " $ONLY " == *" $name "* ]]; then selected+=("$entry"); fi
done
[ "${#selected[@]}" -gt 0 ] || die "TEST_IMAGES=\"$ONLY\" names none of: $(printf '%s\n' "${IMAGES[@]}" | cut -d'|' -f1 | tr '\n' ' ')"

declare -A by_suite=()
suites=()
for entry in "${selected[@]}"; do
  IFS='|' read -r name engine expect suite packages <<<"$entry"
  tag=$PREFIX/${name%%:*}:$expect
  labels=$(docker image inspect --format "{{index .Config.Labels \"$LABEL.engine\"}} {{index .Config.Labels \"$LABEL.version\"}} {{index .Config.Labels \"$LABEL.suite\"}} {{index .Config.Labels \"$LABEL.recipe\"}}" "$tag" 2>/dev/null || true)
  if [ "$REBUILD" != 1 ] && [ "$labels" = "$engine $expect $suite $RECIPE" ]; then
    docker image inspect --format "{{index .Config.Labels \"$LABEL.debian-version\"}}
{{index .Config.Labels \"$LABEL.package-suite\"}}
{{index .Config.Labels \"$LABEL.tls\"}}
{{.Id}}" "$tag" | {
      read -r debver; read -r pkg_suite; read -r tls; read -r id
      printf '%s\n' "$name" "$tag" "$engine" "$expect" "$debver" "$suite" "$pkg_suite" "$tls" "$id" 0 kept >"$work/out/${name//[:\/]/-}"
    }
    continue
  fi
  [ -n "${by_suite[$suite]:-}" ] || suites+=("$suite")
  by_suite[$suite]+="$entry"$'\n'
done

if [ "${#suites[@]}" -eq 0 ]; then
  log "all ${#selected[@]} images are up to date (REBUILD_TEST_IMAGES=1 rebuilds them)"
else
  log "building from $ARCHIVE_URI: suites ${suites[*]} in parallel (logs in $work while it runs)"
  declare -A job_of=()
  set -m
  for suite in "${suites[@]}"; do
    mapfile -t entries < <(printf '%s' "${by_suite[$suite]}")
    build_suite "$suite" "${entries[@]}" &
    job_of[$suite]=$!
    jobs_started+=("$!")
  done
  failed=()
  for suite in "${suites[@]}"; do
    wait "${job_of[$suite]}" || failed+=("$suite")
  done
  set +m
  jobs_started=()
  if [ "${#failed[@]}" -gt 0 ]; then
    for suite in "${failed[@]}"; do
      echo "---- last lines of the $suite log:" >&2
      tail -n 15 "$work/$suite.log" >&2 || true
    done
    for suite in "${failed[@]}"; do
      echo "build-test-images.sh: $suite: $(cat "$work/$suite.error" 2>/dev/null || echo "ended without a reason (killed?)")" >&2
    done
    die "building the images of ${failed[*]} failed"
  fi
fi

# Quick checks of each new image: the server's version, a PING through the
# image's own cli as the official user, HAProxy's OpenSSL, the exporter's version.
smoke() {
  local tag=$1 engine=$2
  engine_facts "$engine"
  case $engine in
    redis | valkey)
      with_timeout docker run --rm --network none --user "$E_UID:$E_GID" "$tag" sh -ec "
        $E_SERVER --version >/dev/null; $E_CLI --version >/dev/null; redis-cli --version >/dev/null
        $E_SERVER --port 0 --unixsocket /tmp/s --daemonize yes --save '' --dir /tmp --logfile /tmp/log
        i=0; until [ \"\$($E_CLI -s /tmp/s ping 2>/dev/null)\" = PONG ]; do
          i=\$((i + 1)); [ \$i -lt 100 ] || { cat /tmp/log; exit 1; }; sleep 0.05; done
        $E_CLI -s /tmp/s info server | grep -E '^(redis|valkey)_version' | tr -d '\r' | tr '\n' ' '
        $E_CLI -s /tmp/s shutdown nosave >/dev/null 2>&1 || true
        id $E_USER" ;;
    haproxy)
      # 2.6 says "Running on OpenSSL version", 3.x "Running on SSL library version : OpenSSL".
      # shellcheck disable=SC2016 # the script sh runs inside the image: its $ are that shell's
      with_timeout docker run --rm --network none "$tag" sh -ec '
        vv=$(haproxy -vv); echo "$vv" | grep -m1 "^HAProxy version" | cut -d" " -f1-3
        echo "$vv" | grep -m1 -E "^Running on (OpenSSL|SSL library) version : OpenSSL"
        id haproxy' ;;
    redis-exporter)
      with_timeout docker run --rm --network none "$tag" --version 2>&1 | head -n1 ;;
  esac
}

t_smoke=$SECONDS
for f in "$work"/out/*; do
  mapfile -t r <"$f"
  [ "${r[10]}" = built ] || continue
  (smoke "${r[1]}" "${r[2]}" >"$f.smoke" 2>&1; echo $? >"$f.smoke-rc") &
done
wait
smoke_failed=0
for f in "$work"/out/*.smoke; do
  [ -e "$f" ] || continue
  mapfile -t r <"${f%.smoke}"
  if [ "$(cat "$f-rc")" = 0 ]; then
    log "smoke ${r[1]}: $(tr '\n' ' ' <"$f")"
  else
    echo "smoke check of ${r[1]} failed:" >&2; cat "$f" >&2; smoke_failed=1
  fi
done
[ "$smoke_failed" = 0 ] || die "a new image failed its smoke check"
[ "$((SECONDS - t_smoke))" -lt 1 ] || log "smoke checks took $((SECONDS - t_smoke)) s"

sweep_dangling

# The manifest, in table order.
mkdir -p "$(dirname "$MANIFEST")"
{
  echo '['
  sep=
  for entry in "${selected[@]}"; do
    IFS='|' read -r name engine _ _ _ <<<"$entry"
    mapfile -t r <"$work/out/${name//[:\/]/-}"
    engine_facts "$engine"
    bins=$(printf '"%s", ' "${E_BINARIES[@]}")
    printf '%s  {"tag": "%s", "engine": "%s", "version": "%s", "debianVersion": "%s", "suite": "%s", "packageSuite": "%s", "server": "%s", "cli": %s, "binaries": [%s], "debianBinary": "%s", "user": %s, "uid": %s, "gid": %s, "tls": %s, "imageId": "%s"}' \
      "$sep" "${r[1]}" "${r[2]}" "${r[3]}" "${r[4]}" "${r[5]}" "${r[6]}" "$E_SERVER" \
      "$([ -n "$E_CLI" ] && echo "\"$E_CLI\"" || echo null)" "${bins%, }" "$E_DEBIAN" \
      "$([ -n "$E_USER" ] && echo "\"$E_USER\"" || echo null)" "$E_UID" "$E_GID" "${r[7]}" "${r[8]}"
    sep=$',\n'
  done
  printf '\n]\n'
} >"$MANIFEST.tmp"
mv "$MANIFEST.tmp" "$MANIFEST"

printf '%-44s %-26s %-8s %s\n' image debian-version size seconds
for entry in "${selected[@]}"; do
  IFS='|' read -r name _ _ _ _ <<<"$entry"
  mapfile -t r <"$work/out/${name//[:\/]/-}"
  size=$(docker image inspect --format '{{.Size}}' "${r[1]}")
  printf '%-44s %-26s %-8s %s\n' "${r[1]}" "${r[4]}" "$((size / 1000000)) MB" "$([ "${r[10]}" = built ] && echo "${r[9]}" || echo kept)"
done
cat "$MANIFEST"
log "manifest: $MANIFEST; total $((SECONDS - t_start)) s"
