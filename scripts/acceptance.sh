#!/usr/bin/env bash
# acceptance.sh ACC_DIR RESULTS_DIR SCENARIO... — runs the acceptance suite against a fresh berthd
# (own netns, data-root, exec-root, socket), once with the real docker CLI and once with out/berth.
# A failing check listed in tests/acceptance/known-gaps.tsv ("cli<TAB>scenario<TAB>check") is
# reported as a known gap, not a failure; a listed check that passes is reported so the list
# shrinks. BERTHD selects the daemon binary (default out/berthd). Writes "passed N" / "failed N" lines to RESULTS_DIR/acceptance.counts.
set -uo pipefail
acc=$1; results=$2; shift 2
# The berth CLI prefers BERTH_HOST to DOCKER_HOST: only DOCKER_HOST may choose the daemon here.
unset BERTH_HOST
root=$(cd "$(dirname "$0")/.." && pwd)
ns=berthacc$$
sock=/run/$ns.sock
data=/tmp/$ns/data
exec_root=/run/$ns
gaps=$root/tests/acceptance/known-gaps.tsv

ip netns add "$ns" && ip -n "$ns" link set lo up
# A spare interface inside the daemon's namespace for the macvlan checks (this kernel has no dummy links).
ip -n "$ns" link add accmv0 type veth peer name accmv1 && ip -n "$ns" link set accmv0 up && ip -n "$ns" link set accmv1 up
nsenter --net=/run/netns/$ns -- "${BERTHD:-$root/out/berthd}" -H "unix://$sock" --data-root "$data" \
    --exec-root "$exec_root" --cgroup-parent "/$ns" > "$results/berthd.log" 2>&1 &
pid=$!
cleanup() {
    kill -TERM "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
    ip netns delete "$ns" 2>/dev/null
    grep -o " $data[^ ]*" /proc/mounts | sort -r | xargs -r -n1 umount -l 2>/dev/null
    rm -rf "/tmp/$ns" "$exec_root"
}
trap cleanup EXIT
for _ in $(seq 100); do curl -sf --unix-socket "$sock" http://x/_ping >/dev/null && break; sleep 0.1; done

p=0; f=0; g=0
for cli in docker "$root/out/berth"; do
    name=$(basename "$cli")
    echo "== acceptance $* with $name"
    rf=$results/acc-$name.tsv
    : > "$rf"
    DOCKER_HOST=unix://$sock DOCKER=$cli HOST_EXEC="ip netns exec $ns" RESULTS_FILE=$rf MACVLAN_PARENT=accmv0 \
        timeout 2400 "$acc/run.sh" "$@" 2>&1 | grep -vE '^PASS ' | tail -n 300
    while IFS=$'\t' read -r st scen sect check; do
        case $st in
            PASS) p=$((p + 1))
                  if [ -f "$gaps" ] && grep -qxF "$name	$scen	$check" "$gaps"; then echo "NOW PASSES (remove from known-gaps.tsv): $name $scen $check"; fi ;;
            FAIL) if [ -f "$gaps" ] && grep -qxF "$name	$scen	$check" "$gaps"; then g=$((g + 1)); else f=$((f + 1)); echo "FAILED: $name $scen $check"; printf '%s\t%s\t%s\n' "$name" "$scen" "$check" >> "$results/new-failures.tsv"; fi ;;
        esac
    done < "$rf"
done
echo "acceptance: $p passed, $f failed, $g known gaps (tests/acceptance/known-gaps.tsv)"
printf 'passed\t%s\nfailed\t%s\n' "$p" "$f" > "$results/acceptance.counts"
