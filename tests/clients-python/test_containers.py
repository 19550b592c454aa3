"""Container flows through docker-py: run, wait, logs, remove, detach, env, published ports."""
import urllib.request

import docker
import pytest

from conftest import wait_for


def test_run_detached_wait_logs_remove(client):
    c = client.containers.run("busybox", ["sh", "-c", "echo out; echo err >&2; exit 3"], detach=True)
    assert c.wait(timeout=120)["StatusCode"] == 3
    assert c.logs(stdout=True, stderr=False) == b"out\n"
    assert c.logs(stdout=False, stderr=True) == b"err\n"
    c.reload()
    assert c.status == "exited"
    assert c.attrs["State"]["ExitCode"] == 3
    c.remove()
    with pytest.raises(docker.errors.NotFound):
        client.containers.get(c.id)


def test_run_in_foreground_returns_output_and_removes(client, unique):
    assert client.containers.run("busybox", ["echo", "hello"], name=unique, remove=True) == b"hello\n"
    with pytest.raises(docker.errors.NotFound):
        client.containers.get(unique)


def test_run_failure_raises_container_error(client):
    with pytest.raises(docker.errors.ContainerError) as e:
        client.containers.run("busybox", ["sh", "-c", "echo broken >&2; exit 9"], remove=True)
    assert e.value.exit_status == 9
    assert b"broken" in e.value.stderr


def test_detach_env_labels_and_stop(client, unique):
    c = client.containers.run("busybox", ["sleep", "1000"], detach=True, name=unique,
                              environment={"GREETING": "hi", "EMPTY": ""}, labels={"suite": "docker-py"})
    c.reload()
    assert c.status == "running"
    assert c.name == unique
    assert "GREETING=hi" in c.attrs["Config"]["Env"]
    assert c.labels == {"suite": "docker-py"}
    assert [x.id for x in client.containers.list(filters={"label": "suite=docker-py"})] == [c.id]
    assert c.exec_run(["sh", "-c", "echo $GREETING"]).output == b"hi\n"
    c.stop(timeout=1)
    c.reload()
    assert c.status == "exited"
    c.remove()


def test_published_port_answers_on_loopback(client):
    c = client.containers.run(
        "busybox", ["sh", "-c", "mkdir -p /www && echo served > /www/index.html && exec httpd -f -p 8080 -h /www"],
        detach=True, ports={"8080/tcp": None})
    c.reload()
    binding = c.ports["8080/tcp"][0]
    port = int(binding["HostPort"])
    assert port > 0

    def fetch():
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/index.html", timeout=5) as r:
                return r.read()
        except OSError:  # httpd not listening yet
            return None

    assert wait_for(fetch, "httpd behind the published port") == b"served\n"
    c.remove(force=True)


def test_published_port_on_fixed_host_port(client):
    c = client.containers.run("busybox", ["sleep", "1000"], detach=True, ports={"80/tcp": ("127.0.0.1", 18080)})
    c.reload()
    assert c.ports["80/tcp"] == [{"HostIp": "127.0.0.1", "HostPort": "18080"}]
    assert client.api.port(c.id, 80) == [{"HostIp": "127.0.0.1", "HostPort": "18080"}]
    c.remove(force=True)


def test_wait_returns_at_the_first_exit_under_a_restart_policy(client):
    c = client.containers.run("busybox", ["sh", "-c", "exit 4"], detach=True,
                              restart_policy={"Name": "on-failure", "MaximumRetryCount": 2})
    assert c.wait(timeout=120)["StatusCode"] == 4
    c.remove(force=True)
