#!/usr/bin/env bash
# bench-seccomp.sh [RUNS] — `docker run --rm busybox true` on two berthd side by side, one with
# the default seccomp profile (Docker's, with the 32-bit sub-architectures) and one with
# --seccomp-profile builtin-native; RUNS runs each (default 30), interleaved A B / B A.
# Prints the median, mean and 90th percentile in ms of each. berthd: $BERTH_DAEMON, else out/berthd.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-30}
daemon=${BERTH_DAEMON:-out/berthd}
docker=${DOCKER_CLI:-/usr/local/bin/docker}
work=$(mktemp -d)
pids=()
cleanup() {
    for v in builtin native; do
        DOCKER_HOST=unix:///run/bsc-$v-$$.sock "$docker" ps -aq 2>/dev/null | xargs -r env DOCKER_HOST=unix:///run/bsc-$v-$$.sock "$docker" rm -f >/dev/null 2>&1 || true
    done
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null || true; done
    for v in builtin native; do ip netns delete bsc-$v-$$ 2>/dev/null || true; done
    grep -o " $work[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l || true
    rm -rf "$work" /run/bsc-builtin-$$ /run/bsc-native-$$
}
trap cleanup EXIT
scripts/busybox-image.sh "$work/busybox.tar"
for v in builtin native; do
    ns=bsc-$v-$$
    ip netns add $ns && ip -n $ns link set lo up
    extra=(); [ $v = native ] && extra=(--seccomp-profile builtin-native)
    nsenter --net=/run/netns/$ns -- "$daemon" -H unix:///run/$ns.sock --data-root "$work/$v" --exec-root /run/$ns \
        --cgroup-parent /$ns "${extra[@]}" > "$work/$v.log" 2>&1 &
    pids+=($!)
done
for v in builtin native; do
    export DOCKER_HOST=unix:///run/bsc-$v-$$.sock
    for _ in $(seq 600); do "$docker" version >/dev/null 2>&1 && break; sleep 0.1; done
    "$docker" load -i "$work/busybox.tar" >/dev/null
    for _ in 1 2 3; do "$docker" run --rm busybox true; done # warm-up
done
for i in $(seq "$runs"); do
    order="builtin native"; [ $((i % 2)) = 0 ] && order="native builtin"
    for v in $order; do
        s=$(date +%s%N)
        DOCKER_HOST=unix:///run/bsc-$v-$$.sock "$docker" run --rm busybox true
        echo "$v $(( ($(date +%s%N) - s) / 1000 ))" >> "$work/times"
    done
done
python3 - "$work/times" <<'PY'
import statistics, sys
t = {}
for line in open(sys.argv[1]):
    v, us = line.split()
    t.setdefault(v, []).append(int(us) / 1000)
for v in ("builtin", "native"):
    xs = sorted(t[v])
    print(f"{v:8} runs={len(xs)} median={statistics.median(xs):.1f}ms mean={statistics.mean(xs):.1f}ms p90={xs[int(0.9 * (len(xs) - 1))]:.1f}ms")
PY
