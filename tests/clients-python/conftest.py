"""docker-py (Debian's python3-docker) against a berthd started for the run.

The daemon runs in this process's network namespace, so published ports are reached on
127.0.0.1 from the tests; scripts/in-netns.sh gives the run a namespace of its own
(test.sh: scripts/in-netns.sh python3 -m pytest tests/clients-python).
"""
import os
import pathlib
import shutil
import subprocess
import tempfile
import time
import uuid

import docker
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _binary(env, published, built):
    """$env, else the newest of out/<published> and the Debug/Release build output."""
    if os.environ.get(env):
        return os.environ[env]
    candidates = [ROOT / published] + [ROOT / built.format(c) for c in ("Debug", "Release")]
    existing = [c for c in candidates if c.exists()]
    if not existing:
        raise RuntimeError(f"none of {candidates} exists: build first")
    return str(max(existing, key=lambda p: p.stat().st_mtime))


def _docker_cli(host, *args):
    cli = os.environ.get("DOCKER_CLI", "/usr/local/bin/docker")
    return subprocess.run([cli, *args], env={**os.environ, "DOCKER_HOST": host}, check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="session")
def berthd():
    netns = os.environ.get("BERTH_TEST_NETNS")
    if not netns or os.stat("/proc/self/ns/net").st_ino != os.stat(f"/run/netns/{netns}").st_ino:
        raise RuntimeError("these tests publish ports on this namespace's loopback: run them through scripts/in-netns.sh")
    name = f"bpy-{os.getpid()}"
    work = pathlib.Path("/tmp") / name
    exec_root = pathlib.Path("/run") / name
    sock = f"/run/{name}.sock"
    host = f"unix://{sock}"
    (work / "data").mkdir(parents=True, exist_ok=True)
    log = open(work / "berthd.log", "w")
    proc = subprocess.Popen(
        [_binary("BERTH_DAEMON", "out/berthd", "src/Berth.Daemon/bin/{}/net10.0/berthd"),
         "-H", host, "--data-root", str(work / "data"), "--exec-root", str(exec_root),
         "--cgroup-parent", f"/{name}", "--log-level", "debug"],
        stdout=log, stderr=subprocess.STDOUT)
    api = docker.APIClient(base_url=host, version="1.41", timeout=300)
    deadline = time.monotonic() + 60
    while True:
        try:
            if api.ping():
                break
        except Exception:  # not listening yet
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("berthd did not come up:\n" + (work / "berthd.log").read_text())
        time.sleep(0.05)
    tar = work / "busybox.tar"
    subprocess.run([str(ROOT / "scripts" / "busybox-image.sh"), str(tar)], check=True)
    _docker_cli(host, "load", "-i", str(tar))
    try:
        yield {"host": host, "busybox_tar": str(tar), "log": work / "berthd.log"}
    finally:
        try:
            ids = _docker_cli(host, "ps", "-aq").split()
            if ids:
                _docker_cli(host, "rm", "-f", *ids)
        except subprocess.CalledProcessError:
            pass
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        subprocess.run(["sh", "-c", f"grep -o ' {work}[^ ]*' /proc/mounts | sort -r | xargs -r -n1 umount -l"])
        shutil.rmtree(work, ignore_errors=True)
        shutil.rmtree(exec_root, ignore_errors=True)


@pytest.fixture
def client(berthd):
    c = docker.DockerClient(base_url=berthd["host"], version="auto", timeout=300)
    yield c
    c.close()


@pytest.fixture
def unique():
    return f"py-{uuid.uuid4().hex[:10]}"


def wait_for(predicate, what, timeout=60):
    """Polls predicate until it returns a true value; only guards against a hang."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
