#!/usr/bin/env bash
# bench.sh [bench.sh args...] — Berth against Docker 20.10 in one interleaved A/B run, using the
# shared harness (../shared/bench, or $BENCH_DIR). Starts berthd (netns benchberth) and a
# reference dockerd (netns benchdock), loads the test images into both, runs the cases, stops
# both. Extra arguments go to the harness, e.g. --only run-true,exec --runs 10.
# A = Berth (driven by the real docker CLI unless BERTH_CLI_UNDER_TEST=1 uses out/berth).
set -euo pipefail
# The berth CLI prefers BERTH_HOST to DOCKER_HOST: only DOCKER_HOST may choose the daemon here.
unset BERTH_HOST
root=$(cd "$(dirname "$0")/.." && pwd)
bench=${BENCH_DIR:-$root/../shared/bench}
out=${BENCH_JSON:-$root/out/bench-$(date +%Y%m%d-%H%M%S).json}
ns=benchberth; sock=/run/$ns.sock; data=/var/lib/$ns; exec_root=/run/$ns
command -v dockerd >/dev/null || apt-get install -y docker.io >/dev/null

cli=docker
[ "${BERTH_CLI_UNDER_TEST:-}" = 1 ] && cli=$root/out/berth

[ -e /run/netns/$ns ] || { ip netns add $ns; ip -n $ns link set lo up; }
nsenter --net=/run/netns/$ns -- "${BERTHD:-$root/out/berthd}" -H "unix://$sock" --data-root "$data" \
    --exec-root "$exec_root" --pidfile /run/$ns.pid --cgroup-parent /$ns > /run/$ns.log 2>&1 &
bpid=$!
"$bench/ref-dockerd.sh" start benchdock
cleanup() {
    kill -TERM "$bpid" 2>/dev/null; wait "$bpid" 2>/dev/null || true
    ip netns delete $ns 2>/dev/null || true
    "$bench/ref-dockerd.sh" stop benchdock --purge || true
}
trap cleanup EXIT
for _ in $(seq 100); do curl -sf --unix-socket "$sock" http://x/_ping >/dev/null && break; sleep 0.1; done

# make-images' run check compares output exactly; berthd's create warnings (bridge fallback)
# make it report a failure while the images are loaded fine, so go on and let the cases verify.
"$bench/make-images.sh" --engine "DOCKER_HOST=unix://$sock $cli" --engine "DOCKER_HOST=unix:///run/benchdock.sock docker" \
    || echo "make-images reported a problem (see above); the benchmark cases verify their own work"
"$bench/bench.sh" \
    --a "DOCKER_HOST=unix://$sock $cli" --a-name berth --a-exec "ip netns exec $ns" --a-pid /run/$ns.pid \
    --b "DOCKER_HOST=unix:///run/benchdock.sock docker" --b-name docker-20.10 --b-exec "ip netns exec benchdock" --b-pid /run/benchdock.pid \
    --json "$out" "$@"
echo "raw results: $out"
