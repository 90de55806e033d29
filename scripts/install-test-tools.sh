#!/usr/bin/env bash
# Debian packages the suites run: real Redis,
# HAProxy and OpenSSL, a Docker engine, busybox, xfsprogs (mkfs.xfs for the
# disk suite's data root), and debootstrap for the test images
# (scripts/build-test-images.sh).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
packages=(redis-server redis-tools haproxy openssl docker.io busybox-static xfsprogs debootstrap openssh-server openssh-client shellcheck)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The test images are bootstrapped from suites up to forky (Debian 14).
# bookworm's debootstrap (1.0.128) has no script for it; the machine's
# <codename>-backports has a newer one. It comes from the machine's own
# archive through a sources file and lists directory of its own, so the
# machine's apt sources stay as they are.
newest_suite=forky
if [ ! -e "/usr/share/debootstrap/scripts/$newest_suite" ]; then
  # shellcheck source=scripts/debian-archive.sh
  . "$here/debian-archive.sh"
  read_debian_archive
  apt_dir=/var/lib/cdktf-docker-redis-test/apt-backports
  mkdir -p "$apt_dir"
  # Its own suite too, for dependencies the newer debootstrap adds (distro-info).
  { archive_source_line "$HOST_CODENAME"; archive_source_line "$HOST_CODENAME-backports"; } >"$apt_dir/sources.list"
  separate_apt_options "$apt_dir/sources.list" "$apt_dir"
  echo "installing debootstrap from $HOST_CODENAME-backports (its own debootstrap does not know $newest_suite)"
  apt-get "${SEPARATE_APT[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive apt-get "${SEPARATE_APT[@]}" install -y -qq --no-install-recommends \
    "debootstrap/$HOST_CODENAME-backports" >/dev/null
  if [ ! -e "/usr/share/debootstrap/scripts/$newest_suite" ]; then
    echo "debootstrap $(dpkg-query -W -f='${Version}' debootstrap) from $HOST_CODENAME-backports does not know $newest_suite either" >&2
    exit 1
  fi
fi
