"""Volumes through docker-py: create, mount, list, remove."""
import docker
import pytest


def test_volume_lifecycle(client, unique):
    vol = client.volumes.create(name=unique, driver="local", labels={"suite": "docker-py"})
    assert vol.name == unique
    assert vol.attrs["Driver"] == "local"
    assert unique in [v.name for v in client.volumes.list(filters={"label": "suite=docker-py"})]

    client.containers.run("busybox", ["sh", "-c", "echo kept > /data/file"], volumes={unique: {"bind": "/data", "mode": "rw"}}, remove=True)
    out = client.containers.run("busybox", ["cat", "/data/file"], volumes=[f"{unique}:/data:ro"], remove=True)
    assert out == b"kept\n"

    user = client.containers.create("busybox", ["true"], volumes=[f"{unique}:/data"])
    with pytest.raises(docker.errors.APIError) as e:
        vol.remove()
    assert e.value.status_code == 409
    user.remove()

    vol.remove()
    with pytest.raises(docker.errors.NotFound):
        client.volumes.get(unique)


def test_anonymous_volume_removed_with_container(client):
    c = client.containers.create("busybox", ["true"], volumes=["/anon"])
    name = next(m["Name"] for m in c.attrs["Mounts"] if m["Destination"] == "/anon")
    assert client.volumes.get(name).name == name
    c.remove(v=True)
    with pytest.raises(docker.errors.NotFound):
        client.volumes.get(name)
