#!/usr/bin/env bash
# Debian packages the integration and end-to-end suites run: real Redis,
# HAProxy and OpenSSL, a Docker engine, and busybox for the test images.
set -euo pipefail
packages=(redis-server redis-tools haproxy openssl docker.io busybox-static)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "installing: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
