"""Networks through docker-py: create, connect with aliases, DNS from another container, disconnect, remove."""
import docker
import pytest


def test_network_lifecycle_with_aliases(client, unique):
    net = client.networks.create(unique, driver="bridge", labels={"suite": "docker-py"})
    assert net.name == unique
    assert [n.id for n in client.networks.list(names=[unique])] == [net.id]

    server = client.containers.run(
        "busybox", ["sh", "-c", "mkdir -p /www && echo via-alias > /www/index.html && exec httpd -f -p 80 -h /www"], detach=True)
    net.connect(server, aliases=["web"])
    server.reload()
    assert "web" in server.attrs["NetworkSettings"]["Networks"][unique]["Aliases"]
    net.reload()
    assert [c.id for c in net.containers] == [server.id]

    # The name resolves through the embedded DNS; httpd may still be starting, so retry inside.
    out = client.containers.run(
        "busybox",
        ["sh", "-c", "nslookup web >/dev/null && for i in $(seq 100); do wget -qO- http://web/index.html && exit 0; sleep 0.1; done; exit 1"],
        network=unique, remove=True)
    assert out == b"via-alias\n"

    net.disconnect(server)
    server.reload()
    assert unique not in server.attrs["NetworkSettings"]["Networks"]
    net.reload()
    assert net.containers == []

    server.remove(force=True)
    net.remove()
    with pytest.raises(docker.errors.NotFound):
        client.networks.get(net.id)


def test_run_with_network_and_alias_via_networking_config(client, unique):
    net = client.networks.create(unique, driver="bridge")
    api = client.api
    config = api.create_networking_config({unique: api.create_endpoint_config(aliases=["db"])})
    created = api.create_container("busybox", ["sleep", "1000"], networking_config=config, host_config=api.create_host_config(network_mode=unique))
    api.start(created["Id"])
    out = client.containers.run("busybox", ["sh", "-c", "nslookup db | grep -c Address"], network=unique, remove=True)
    assert int(out.strip()) >= 1
    api.remove_container(created["Id"], force=True)
    net.remove()
