"""exec through docker-py: exec_run with and without a TTY, streamed, demultiplexed."""
import pytest


@pytest.fixture
def box(client):
    c = client.containers.run("busybox", ["sleep", "1000"], detach=True)
    yield c
    c.remove(force=True)


def test_exec_run_without_tty(box):
    r = box.exec_run(["sh", "-c", "echo out; exit 2"])
    assert r.exit_code == 2
    assert r.output == b"out\n"


def test_exec_run_with_tty(box):
    r = box.exec_run(["sh", "-c", "tty; echo hi"], tty=True)
    assert r.exit_code == 0
    assert r.output.startswith(b"/dev/pts/")
    assert r.output.endswith(b"hi\r\n")


def test_exec_run_stream(box):
    r = box.exec_run(["sh", "-c", "for i in 1 2 3; do echo $i; done"], stream=True)
    assert r.exit_code is None
    assert b"".join(r.output) == b"1\n2\n3\n"


def test_exec_run_demux(box):
    r = box.exec_run(["sh", "-c", "echo out; echo err >&2; exit 1"], demux=True)
    assert r.exit_code == 1
    assert r.output == (b"out\n", b"err\n")


def test_exec_run_env_workdir_user(box):
    r = box.exec_run(["sh", "-c", "echo $X $(pwd) $(id -u)"], environment={"X": "y"}, workdir="/tmp", user="nobody")
    assert r.exit_code == 0
    assert r.output == b"y /tmp 65534\n"


def test_exec_low_level_inspect(client, box):
    exec_id = client.api.exec_create(box.id, ["sh", "-c", "exit 6"])["Id"]
    assert client.api.exec_start(exec_id) == b""
    info = client.api.exec_inspect(exec_id)
    assert info["ExitCode"] == 6
    assert info["Running"] is False


def test_exec_start_framing_follows_the_start_requests_tty(client, box):
    # dockerd frames the stream by the start request's Tty, whatever the create request said;
    # the process still gets the terminal its create asked for. These are dockerd 20.10's answers.
    exec_id = client.api.exec_create(box.id, ["sh", "-c", "echo out; echo err >&2"], tty=True)["Id"]
    assert client.api.exec_start(exec_id, tty=False, demux=True) == (b"out\r\nerr\r\n", None)
    # The other way round the stream is raw, and a process without a terminal loses its stderr.
    exec_id = client.api.exec_create(box.id, ["sh", "-c", "echo out; echo err >&2"], tty=False)["Id"]
    assert client.api.exec_start(exec_id, tty=True) == b"out\n"
