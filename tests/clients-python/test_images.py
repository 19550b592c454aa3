"""Images through docker-py: load, tag, list, inspect, remove, commit."""
import docker
import pytest


def test_load_returns_the_images(client, berthd):
    with open(berthd["busybox_tar"], "rb") as f:
        images = client.images.load(f.read())
    assert any("busybox:latest" in i.tags for i in images)


def test_tag_list_inspect_remove(client, unique):
    image = client.images.get("busybox")
    assert image.tag(f"berth-py/{unique}", "v1") is True
    assert f"berth-py/{unique}:v1" in client.images.get(image.id).tags
    listed = client.images.list(name=f"berth-py/{unique}")
    assert [i.id for i in listed] == [image.id]
    tagged = client.images.get(f"berth-py/{unique}:v1")
    assert tagged.id == image.id
    assert tagged.attrs["Config"]["Cmd"] == ["sh"]
    assert tagged.attrs["Os"] == "linux"
    assert any(i.id == image.id for i in client.images.list())
    client.images.remove(f"berth-py/{unique}:v1")
    with pytest.raises(docker.errors.ImageNotFound):
        client.images.get(f"berth-py/{unique}:v1")
    assert client.images.get("busybox").id == image.id


def test_remove_image_in_use_conflicts(client):
    c = client.containers.create("busybox", ["true"])
    with pytest.raises(docker.errors.APIError) as e:
        client.images.remove("busybox")
    assert e.value.status_code == 409
    c.remove()


def test_commit(client, unique):
    c = client.containers.run("busybox", ["sleep", "1000"], detach=True)
    assert c.exec_run(["sh", "-c", "echo committed > /marker"]).exit_code == 0
    image = c.commit(repository=f"berth-py/{unique}", tag="1", message="from docker-py", changes=["ENV FROM_COMMIT=yes"])
    c.remove(force=True)
    assert f"berth-py/{unique}:1" in image.tags
    assert "FROM_COMMIT=yes" in image.attrs["Config"]["Env"]
    out = client.containers.run(image.id, ["sh", "-c", "cat /marker; echo $FROM_COMMIT"], remove=True)
    assert out == b"committed\nyes\n"
    client.images.remove(image.id, force=True)
