#!/usr/bin/env python3
"""bench-netsetup.py [RUNS] -- what bridge networking adds to `run --rm busybox true`.

Paired measurement against one engine (DOCKER_HOST): each pair runs the default-network case and
the `--network none` case back to back, alternating which goes first, and reports the median and
mean of the per-pair differences, once with out/berth and once with the docker CLI. Pairing
cancels the machine's drift, which unpaired medians of two separate cases do not.
"""
import os
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 30


def timed(args):
    start = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


for cli in ([os.path.join(ROOT, "out", "berth")], ["docker"]):
    bridge = cli + ["run", "--rm", "busybox", "true"]
    none = cli + ["run", "--rm", "--network", "none", "busybox", "true"]
    for _ in range(3):
        timed(bridge)
        timed(none)
    diffs = []
    for i in range(RUNS):
        if i % 2 == 0:
            a, b = timed(bridge), timed(none)
        else:
            b, a = timed(none), timed(bridge)
        diffs.append(a - b)
    print(f"{os.path.basename(cli[0])}: bridge minus none, {RUNS} pairs: median {statistics.median(diffs) * 1000:.1f} ms, mean {statistics.mean(diffs) * 1000:.1f} ms")
