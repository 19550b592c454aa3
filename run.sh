#!/usr/bin/env bash
# run.sh — from a clean clone: installs what Berth needs, builds it, starts berthd in the
# background (socket /run/berth/berth.sock, data in /var/lib/berth), loads busybox:latest (made
# offline from Debian's busybox-static) and runs a container. Safe to run again.
#
# berthd runs in the network namespace $BERTH_NETNS (default "berth", created if missing) so that
# its bridges and rules stay out of the host's; BERTH_NETNS=host runs it in the host namespace.
set -euo pipefail
cd "$(dirname "$0")"
root=$(pwd)
sock=/run/berth/berth.sock
netns=${BERTH_NETNS:-berth}

scripts/install-deps.sh

# Rebuild when any source is newer than the published binaries.
if [ ! -x out/berthd ] || [ ! -x out/berth ] || [ -n "$(find src Directory.*.props -newer out/berthd -type f 2>/dev/null | head -1)" ]; then
    ./build.sh
fi

ping_daemon() { curl -sf --max-time 2 --unix-socket "$sock" http://berth/_ping >/dev/null 2>&1; }
if ! ping_daemon; then
    mkdir -p /var/log
    if [ "$netns" = host ]; then
        launch=()
    else
        [ -e "/run/netns/$netns" ] || { ip netns add "$netns"; ip -n "$netns" link set lo up; }
        # nsenter rather than `ip netns exec`: the latter remounts /sys and hides the cgroup mounts.
        launch=(nsenter "--net=/run/netns/$netns" --)
    fi
    setsid "${launch[@]}" "$root/out/berthd" -H "unix://$sock" >> /var/log/berthd.log 2>&1 < /dev/null &
    for _ in $(seq 100); do ping_daemon && break; sleep 0.1; done
    ping_daemon || { echo "berthd did not start; see /var/log/berthd.log" >&2; tail -20 /var/log/berthd.log >&2; exit 1; }
    echo "berthd started (pid $(cat /run/berth/berthd.pid), log /var/log/berthd.log)"
fi

export BERTH_HOST=unix://$sock
if ! out/berth image inspect busybox:latest >/dev/null 2>&1; then
    archive=$(mktemp --suffix=.tar)
    scripts/busybox-image.sh "$archive" >/dev/null
    out/berth load -i "$archive"
    rm -f "$archive"
fi

out/berth run --rm busybox echo hello from berth
