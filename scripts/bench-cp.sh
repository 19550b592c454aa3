#!/usr/bin/env bash
# bench-cp.sh — `docker cp` of a directory into and out of a running container, engine A vs engine
# B, interleaved run by run (A B, B A, ...), with medians and per-pair ratios, like
# ../shared/bench/bench.sh. Every run is verified (file count and total bytes); a run that cannot
# be verified fails the script.
#
#   scripts/bench-cp.sh --a 'DOCKER_HOST=unix:///run/volb.sock docker' --a-name berth \
#                       --b 'DOCKER_HOST=unix:///run/vold.sock docker' --b-name docker \
#                       [--runs 6] [--mb 200] [--image busybox:latest] [--json out.json]
#
# An engine is a full CLI command prefix; leading NAME=value words become environment variables.
# The tree (default 200 MB, seeded pseudo-random so incompressible) has many files of mixed
# sizes: 60% of the bytes in 4 KiB-1 MiB files, 40% in 5-20 MB files, in nested directories.
set -euo pipefail
exec python3 - "$@" <<'PY'
import argparse, json, os, random, re, shlex, shutil, statistics, subprocess, sys, tempfile, time

p = argparse.ArgumentParser(prog="bench-cp.sh")
p.add_argument("--a", required=True); p.add_argument("--a-name", default="A")
p.add_argument("--b"); p.add_argument("--b-name", default="B")
p.add_argument("--runs", type=int, default=6)
p.add_argument("--mb", type=int, default=200)
p.add_argument("--image", default="busybox:latest")
p.add_argument("--json")
p.add_argument("--workdir", default=os.environ.get("TMPDIR", "/tmp"))
args = p.parse_args()

def engine(prefix, name):
    words = shlex.split(prefix)
    env = dict(os.environ)
    while words and re.match(r"^[A-Za-z_][A-Za-z0-9_]*=", words[0]):
        k, v = words.pop(0).split("=", 1)
        env[k] = v
    return {"name": name, "cmd": words, "env": env}

engines = [engine(args.a, args.a_name)] + ([engine(args.b, args.b_name)] if args.b else [])

def run(e, *a, check=True):
    r = subprocess.run(e["cmd"] + list(a), env=e["env"], capture_output=True, text=True)
    if check and r.returncode != 0:
        sys.exit(f"{e['name']}: {' '.join(a)} failed ({r.returncode}): {r.stderr.strip()}")
    return r

def make_tree(root, total):
    rnd = random.Random(20261123)
    files, size = 0, 0
    big_budget = total * 4 // 10
    d = 0
    while size < big_budget:
        n = min(rnd.randint(5_000_000, 20_000_000), big_budget - size)
        path = os.path.join(root, "big", f"blob{files}")
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(rnd.randbytes(n))
        files += 1; size += n
    while size < total:
        d += 1
        sub = os.path.join(root, f"d{d % 25}", f"s{d % 7}")
        os.makedirs(sub, exist_ok=True)
        n = min(int(4096 * (256 ** rnd.random())), total - size)   # 4 KiB .. 1 MiB, log-uniform
        with open(os.path.join(sub, f"f{files}"), "wb") as f:
            f.write(rnd.randbytes(n))
        files += 1; size += n
    return files, size

def host_count(root):
    files, size = 0, 0
    for dp, _, fns in os.walk(root):
        for fn in fns:
            files += 1; size += os.lstat(os.path.join(dp, fn)).st_size
    return files, size

def ctr_count(e, ctr, path):
    r = run(e, "exec", ctr, "sh", "-c", f"find {path} -type f | wc -l; find {path} -type f -exec stat -c %s {{}} + | awk '{{s+=$1}} END {{print s+0}}'")
    a = r.stdout.split()
    return int(a[0]), int(a[1])

work = tempfile.mkdtemp(prefix="bench-cp-", dir=args.workdir)
src = os.path.join(work, "tree")
try:
    expect = make_tree(src, args.mb * 1_000_000)
    print(f"tree: {expect[0]} files, {expect[1] / 1e6:.1f} MB in {src}", flush=True)
    for e in engines:
        e["ctr"] = f"bench-cp-{os.getpid()}-{e['name']}"
        run(e, "rm", "-f", e["ctr"], check=False)
        run(e, "run", "-d", "--network", "none", "--name", e["ctr"], args.image, "sleep", "3600")
        run(e, "cp", src, f"{e['ctr']}:/src")   # the source of the "out" direction
        got = ctr_count(e, e["ctr"], "/src")
        if got != expect:
            sys.exit(f"{e['name']}: set-up copy has {got}, expected {expect}")
        e["in"], e["out"] = [], []
        e["version"] = run(e, "version", "--format", "{{.Server.Version}}", check=False).stdout.strip()

    for i in range(args.runs):
        order = engines if (i % 2 == 0 or len(engines) == 1) else engines[::-1]
        for e in order:
            time.sleep(1)
            dst = f"/in{i}"
            t = time.monotonic(); run(e, "cp", src, f"{e['ctr']}:{dst}"); e["in"].append(time.monotonic() - t)
            got = ctr_count(e, e["ctr"], dst)
            if got != expect:
                sys.exit(f"{e['name']}: cp into the container gave {got}, expected {expect}")
            run(e, "exec", e["ctr"], "rm", "-rf", dst)
            time.sleep(1)
            out = os.path.join(work, f"out-{e['name']}-{i}")
            t = time.monotonic(); run(e, "cp", f"{e['ctr']}:/src", out); e["out"].append(time.monotonic() - t)
            got = host_count(out)
            if got != expect:
                sys.exit(f"{e['name']}: cp out of the container gave {got}, expected {expect}")
            shutil.rmtree(out)
        print(f"run {i + 1}/{args.runs}: " + "  ".join(f"{e['name']} in {e['in'][-1]:.2f}s out {e['out'][-1]:.2f}s" for e in engines), flush=True)

    mb = expect[1] / 1e6
    result = {"mb": mb, "files": expect[0], "runs": args.runs, "engines": {}}
    print()
    print(f"| direction | {' | '.join(e['name'] + ' median s (min..max), MB/s' for e in engines)} |" + (" A/B median (min..max) |" if len(engines) == 2 else ""))
    print("|---|" + "---:|" * len(engines) + ("---:|" if len(engines) == 2 else ""))
    for d, label in (("in", "host → container"), ("out", "container → host")):
        cells = []
        for e in engines:
            v = e[d]
            cells.append(f"{statistics.median(v):.2f} ({min(v):.2f}..{max(v):.2f}), {mb / statistics.median(v):.0f}")
        line = f"| {label} | " + " | ".join(cells) + " |"
        if len(engines) == 2:
            ratios = [x / y for x, y in zip(engines[0][d], engines[1][d])]
            line += f" {statistics.median(ratios):.2f} ({min(ratios):.2f}..{max(ratios):.2f}) |"
            result.setdefault("ratio", {})[d] = {"median": statistics.median(ratios), "pairs": ratios}
        print(line)
    for e in engines:
        result["engines"][e["name"]] = {"version": e["version"], "in": e["in"], "out": e["out"],
                                        "in_median": statistics.median(e["in"]), "out_median": statistics.median(e["out"])}
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=1)
finally:
    for e in engines:
        if "ctr" in e:
            run(e, "rm", "-f", e["ctr"], check=False)
    shutil.rmtree(work, ignore_errors=True)
PY
