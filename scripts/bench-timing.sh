#!/usr/bin/env bash
# bench-timing.sh — the integration tests that measure durations and rates (Category=Timing:
# network set-up cost, embedded DNS throughput, cgroup migration while the lock is warm). They
# print their figures and check loose bounds; they sit outside ./test.sh because a loaded machine
# fails them without anything being wrong. Run on a quiet machine after a build:
#   dotnet build Berth.slnx -c Debug && scripts/bench-timing.sh [extra dotnet test args]
set -euo pipefail
cd "$(dirname "$0")/.."
exec dotnet test tests/Berth.Tests.Integration -c Debug --no-build -nologo \
    --filter "Category=Timing" --logger "console;verbosity=detailed" "$@"
