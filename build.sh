#!/usr/bin/env bash
# build.sh — publishes the two programs into out/:
#   out/berth   the CLI (Native AOT: starts in milliseconds)
#   out/berthd  the engine (Native AOT)
#   out/berth-shim  the per-container monitor berthd starts (Native AOT, next to berthd)
# Usage: ./build.sh [--debug]   (--debug: plain framework-dependent builds, faster to compile)
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p out
rid=linux-x64
if [ "${1:-}" = "--debug" ]; then
    dotnet build Berth.slnx -c Debug -nologo -clp:ErrorsOnly
    ln -sf ../src/Berth.Cli/bin/Debug/net10.0/berth out/berth
    ln -sf ../src/Berth.Daemon/bin/Debug/net10.0/berthd out/berthd
    ln -sf ../src/Berth.Shim/bin/Debug/net10.0/berth-shim out/berth-shim
    exit 0
fi
publish() { # project output-name
    local tmp; tmp=$(mktemp -d)
    dotnet publish "src/$1/$1.csproj" -c Release -r "$rid" -p:PublishAot=true -o "$tmp" -nologo -clp:ErrorsOnly
    install -m 0755 "$tmp/$2" "out/$2.new" && mv -f "out/$2.new" "out/$2"
    # native libraries the program loads next to itself (e.g. SQLite)
    find "$tmp" -maxdepth 1 -name '*.so' -exec install -m 0644 {} out/ \;
    rm -rf "$tmp"
}
publish Berth.Cli berth
publish Berth.Daemon berthd
publish Berth.Shim berth-shim
ls -la out/berth out/berthd out/berth-shim
