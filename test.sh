#!/usr/bin/env bash
# test.sh — builds everything and runs every test layer:
#   1. unit and component tests (tests/Berth.Tests.Unit)
#   2. integration tests against real berthd/runc/overlayfs (tests/Berth.Tests.Integration)
#   3. real SDK clients against berthd: Testcontainers and Docker.DotNet (tests/Berth.Tests.Clients)
#      and docker-py (tests/clients-python), each in a network namespace of its own
#   4. the engine-neutral acceptance suite (../shared/acceptance) against berthd, once with the
#      real docker CLI and once with out/berth
# Ends with one line: "N passed, N failed".
# Knobs: ACCEPTANCE_DIR (default ../shared/acceptance), ACCEPTANCE_SCENARIOS (default "10 20 30 40 60"),
#        SKIP_ACCEPTANCE=1, SKIP_BUILD=1.
set -uo pipefail
cd "$(dirname "$0")"
root=$(pwd)
results=$(mktemp -d)
passed=0; failed=0

scripts/install-deps.sh || exit 1
if [ "${SKIP_BUILD:-}" != 1 ]; then
    ./build.sh || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }
    dotnet build Berth.slnx -c Debug -nologo -clp:ErrorsOnly || { echo "test build failed"; echo "0 passed, 1 failed"; exit 1; }
fi
export BERTH_DAEMON=$root/out/berthd BERTH_CLI=$root/out/berth

count_trx() { # file: adds the trx counters to the totals
    local f=$1 p fl
    p=$(grep -o 'passed="[0-9]*"' "$f" | head -1 | tr -dc 0-9)
    fl=$(grep -o 'failed="[0-9]*"' "$f" | head -1 | tr -dc 0-9)
    passed=$((passed + ${p:-0})); failed=$((failed + ${fl:-0}))
    echo "$(basename "$f" .trx): ${p:-0} passed, ${fl:-0} failed"
}

# Tests that assert durations (Category=Timing) are benchmarks: scripts/bench-timing.sh runs them.
for suite in Unit Integration Clients; do
    echo "== dotnet tests: $suite"
    wrap=(); [ "$suite" = Clients ] && wrap=(scripts/in-netns.sh)
    "${wrap[@]}" dotnet test "tests/Berth.Tests.$suite" -c Debug --no-build -nologo --filter "Category!=Timing" \
        --logger "trx;LogFileName=$results/$suite.trx" --logger "console;verbosity=normal" 2>&1 \
        | grep -E "^\s+Failed |^\s+Skipped |Error Message|Assert|Total tests|^\s+at Berth|^\s*(exit -?[0-9]+|stdout:|stderr:)" | tail -n 300
    if [ -f "$results/$suite.trx" ]; then count_trx "$results/$suite.trx"; else echo "$suite: no results"; failed=$((failed + 1)); fi
done

echo "== docker-py tests"
scripts/in-netns.sh /usr/bin/python3 -m pytest -p no:cacheprovider -W ignore::DeprecationWarning -q -rfE --junitxml="$results/docker-py.xml" tests/clients-python 2>&1 | tail -n 300
if [ -f "$results/docker-py.xml" ]; then
    # pytest's junit report: <testsuite ... errors= failures= skipped= tests=>
    read -r t f e s < <(python3 -c 'import sys,xml.etree.ElementTree as E; r=E.parse(sys.argv[1]).getroot(); x=r if r.tag=="testsuite" else r.find("testsuite"); print(*(x.get(k) for k in ("tests","failures","errors","skipped")))' "$results/docker-py.xml")
    passed=$((passed + t - f - e - s)); failed=$((failed + f + e))
    echo "docker-py: $((t - f - e - s)) passed, $((f + e)) failed"
else
    echo "docker-py: no results"; failed=$((failed + 1))
fi

acc=${ACCEPTANCE_DIR:-$root/../shared/acceptance}
if [ "${SKIP_ACCEPTANCE:-}" != 1 ] && [ -x "$acc/run.sh" ]; then
    scripts/acceptance.sh "$acc" "$results" ${ACCEPTANCE_SCENARIOS:-10 20 30 40 60}
    while IFS=$'\t' read -r kind n; do
        case $kind in passed) passed=$((passed + n));; failed) failed=$((failed + n));; esac
    done < "$results/acceptance.counts"
elif [ "${SKIP_ACCEPTANCE:-}" != 1 ]; then
    echo "acceptance suite not found at $acc (set ACCEPTANCE_DIR): not run"
fi

rm -rf "$results"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
