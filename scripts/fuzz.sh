#!/usr/bin/env bash
# fuzz.sh [seconds-per-target] [target...] — fuzzes every parser that reads hostile input
# (tests/Berth.Fuzz/Targets: dns, hijack-head, layer-tar, json-log, local-log, go-template, filters), each for
# a bounded time, outside ./test.sh. Engine: afl-fuzz (Debian's afl++) over assemblies instrumented
# by sharpfuzz (the SharpFuzz.CommandLine dotnet tool in dotnet-tools.json); FUZZ_ENGINE=corpus
# uses the engine-less mode instead (generated inputs from mutated seeds, no coverage feedback),
# which is also the fallback when afl-fuzz cannot be had.
# Each crashing input is copied to tests/Berth.Tests.Unit/Fuzz/regressions/<target>/, where
# FuzzRegressionTests replays it: fix the parser, keep the file. Exit status 1 if anything crashed.
# Knobs: FUZZ_OUT (default out/fuzz), FUZZ_ENGINE (afl|corpus), FUZZ_CORPUS_COUNT (default 20000),
# FUZZ_CONFIGURATION (default Release).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
secs=${1:-60}
shift || true
targets=${*:-dns hijack-head layer-tar json-log local-log go-template filters}
out=${FUZZ_OUT:-$root/out/fuzz}
bin=$out/bin
engine=${FUZZ_ENGINE:-afl}

if [ "$engine" = afl ] && ! command -v afl-fuzz >/dev/null; then
    if [ "$(id -u)" = 0 ]; then apt-get install -y afl++ >/dev/null 2>&1 || true; fi
    command -v afl-fuzz >/dev/null || { echo "afl-fuzz not available: using the engine-less corpus mode"; engine=corpus; }
fi

# sharpfuzz rewrites assemblies in place (and refuses to do it twice), and instrumented code runs
# only under the fuzzer: build plainly, write the seeds, then instrument a fresh copy.
build=$out/build
dotnet build tests/Berth.Fuzz -c "${FUZZ_CONFIGURATION:-Release}" -o "$build" -nologo -clp:ErrorsOnly
for t in $targets; do
    rm -rf "${out:?}/$t"; mkdir -p "$out/$t"
    dotnet "$build/berth-fuzz.dll" seeds "$t" "$out/$t/seeds"
done
rm -rf "$bin"
cp -a "$build" "$bin"
if [ "$engine" = afl ]; then
    dotnet tool restore >/dev/null
    for asm in Berth.Core Berth.Networking Berth.Storage Berth.Runtime berthd berth; do
        dotnet sharpfuzz "$bin/$asm.dll" >/dev/null
    done
fi

crashed=0
for t in $targets; do
    dir=$out/$t
    found=()
    if [ "$engine" = afl ]; then
        echo "== $t: afl-fuzz for ${secs}s"
        AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 \
            AFL_NO_AFFINITY=1 AFL_FORKSRV_INIT_TMOUT=60000 \
            timeout $((secs + 120)) afl-fuzz -V "$secs" -t 10000 -m none -i "$dir/seeds" -o "$dir/afl" \
            -- dotnet "$bin/berth-fuzz.dll" afl "$t" > "$dir/afl.log" 2>&1 || true
        grep -E "execs_done|execs_per_sec|saved_crashes|saved_hangs|corpus_count" "$dir/afl/default/fuzzer_stats" 2>/dev/null | tr -s ' ' | paste -sd' ' || tail -5 "$dir/afl.log"
        for f in "$dir"/afl/default/crashes/id:*; do [ -e "$f" ] && found+=("$f"); done
    else
        echo "== $t: ${FUZZ_CORPUS_COUNT:-20000} generated inputs"
        timeout $((secs + 600)) dotnet "$bin/berth-fuzz.dll" corpus "$t" "${FUZZ_CORPUS_COUNT:-20000}" "$dir/crashes" || true
        for f in "$dir"/crashes/*; do [ -e "$f" ] && found+=("$f"); done
    fi
    for f in "${found[@]}"; do
        keep=tests/Berth.Tests.Unit/Fuzz/regressions/$t
        mkdir -p "$keep"
        name=$(sha256sum "$f" | cut -c1-16)
        cp "$f" "$keep/$name"
        echo "crash: $keep/$name"
        crashed=1
    done
done
exit $crashed
