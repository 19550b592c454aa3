#!/usr/bin/env bash
# bench-cp-small.sh — the per-request cost of the archive API: N PUTs and N GETs of one small file
# into and out of a container (running, or stopped: then each request mounts a view of its
# rootfs), straight on the engine's unix socket (no CLI start-up in the figures). Prints the
# median and p90 per request and the total for each direction.
#
#   scripts/bench-cp-small.sh --socket /run/berth/berth.sock --container NAME [--n 200] [--path /tmp]
set -euo pipefail
exec python3 - "$@" <<'PY'
import argparse, http.client, io, json, socket, statistics, tarfile, time

p = argparse.ArgumentParser(prog="bench-cp-small.sh")
p.add_argument("--socket", required=True)
p.add_argument("--container", required=True)
p.add_argument("--n", type=int, default=200)
p.add_argument("--path", default="/tmp")
args = p.parse_args()

class Conn(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost")
        self.path = path
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.path)

buf = io.BytesIO()
with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as t:
    data = b"small file for the archive benchmark\n" * 8
    info = tarfile.TarInfo("bench.txt"); info.size = len(data); info.mode = 0o644
    t.addfile(info, io.BytesIO(data))
body = buf.getvalue()

conn = Conn(args.socket)
def req(method, url, payload=None):
    t = time.perf_counter()
    conn.request(method, url, body=payload, headers={"Content-Type": "application/x-tar"} if payload else {})
    r = conn.getresponse(); out = r.read()
    if r.status != 200:
        raise SystemExit(f"{method} {url}: {r.status} {out[:200]!r}")
    return time.perf_counter() - t, out

c = args.container
for _ in range(10):  # warm-up
    req("PUT", f"/v1.50/containers/{c}/archive?path={args.path}", body)
    req("GET", f"/v1.50/containers/{c}/archive?path={args.path}/bench.txt")
res = {}
for name, method, url, payload in (("PUT", "PUT", f"/v1.50/containers/{c}/archive?path={args.path}", body),
                                   ("GET", "GET", f"/v1.50/containers/{c}/archive?path={args.path}/bench.txt", None)):
    times = []
    for _ in range(args.n):
        dt, out = req(method, url, payload)
        if method == "GET" and b"archive benchmark" not in out:
            raise SystemExit("GET returned the wrong content")
        times.append(dt)
    times.sort()
    res[name] = {"median_ms": statistics.median(times) * 1e3, "p90_ms": times[int(len(times) * 0.9)] * 1e3, "total_s": sum(times)}
    print(f"{name} x{args.n}: median {res[name]['median_ms']:.2f} ms, p90 {res[name]['p90_ms']:.2f} ms, total {res[name]['total_s']:.2f} s", flush=True)
print(json.dumps(res))
PY
