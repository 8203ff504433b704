#!/usr/bin/env bash
# Install the real metrics servers the grafana-push integration tests start:
# Debian's prometheus-pushgateway and influxdb (InfluxDB 1.x). Idempotent: does
# nothing when both binaries are already there; needs root (or sudo) otherwise.
# Only the binaries are used: the tests start their own instances on loopback
# ports in temporary directories, so the packages' services are stopped again.
set -euo pipefail

missing=()
command -v prometheus-pushgateway >/dev/null 2>&1 || missing+=(prometheus-pushgateway)
command -v influxd >/dev/null 2>&1 || missing+=(influxdb)
if [ "${#missing[@]}" -eq 0 ]; then
  echo "install-test-servers: prometheus-pushgateway and influxd already installed"
  exit 0
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "install-test-servers: need root or sudo to install ${missing[*]}" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
# Do not let the packages start their system services (no init in containers,
# and the tests never use them): policy-rc.d 101 = "action forbidden".
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | "${as_root[@]}" tee "$policy" >/dev/null
  "${as_root[@]}" chmod 755 "$policy"
  created_policy=1
fi
cleanup() { if [ "$created_policy" -eq 1 ]; then "${as_root[@]}" rm -f "$policy"; fi; }
trap cleanup EXIT

"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
command -v prometheus-pushgateway >/dev/null && command -v influxd >/dev/null
echo "install-test-servers: installed ${missing[*]}"
