#!/usr/bin/env bash
# install-deps.sh — the OS packages Berth needs at run time and for its tests (Debian 12).
set -euo pipefail
# docker.io: the reference dockerd 20.10 that parity tests compare Berth with (never started as a service here);
# python3-docker, python3-pytest, redis-server, redis-tools: the client tests.
pkgs=(runc conmon busybox-static tini iproute2 nftables util-linux procps curl tar docker.io
      python3-docker python3-pytest redis-server redis-tools)
missing=()
for p in "${pkgs[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y "${missing[@]}" >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y "${missing[@]}" >/dev/null; }
fi
command -v dotnet >/dev/null || { echo "install-deps.sh: the .NET 10 SDK is required (dotnet on PATH)" >&2; exit 2; }
