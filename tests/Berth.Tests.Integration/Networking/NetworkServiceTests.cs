using Berth.Core.Errors;
using Berth.Networking;
using Berth.Networking.Model;
using Berth.Networking.Ports;
using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Networking;

/// <summary>The network service against the real kernel, with a test namespace as the host.</summary>
public sealed class NetworkServiceTests : IAsyncLifetime
{
    private ServiceHost _h = null!;

    private NetworkService S => _h.Service;

    public async Task InitializeAsync() => _h = await ServiceHost.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private static string NewId() => Berth.Core.Ids.IdGenerator.NewId();

    private Task<NetworkAttachment> RunAsync(string name, string network, EndpointRequest? ep = null, Func<ContainerNetworkRequest, ContainerNetworkRequest>? change = null)
    {
        var r = new ContainerNetworkRequest
        {
            ContainerId = NewId(),
            ContainerName = name,
            Hostname = name,
            NetworkMode = network,
            Endpoints = ep is null ? new Dictionary<string, EndpointRequest>() : new Dictionary<string, EndpointRequest> { [network] = ep },
        };
        return S.AttachAsync(change?.Invoke(r) ?? r, CancellationToken.None);
    }

    [Fact]
    public async Task Predefined_networks_and_default_bridge_exist_in_the_host_namespace()
    {
        var names = (await S.ListNetworksAsync(CancellationToken.None)).Select(n => $"{n.Network.Name} {n.Network.Driver}").ToList();
        Assert.Contains("bridge bridge", names);
        Assert.Contains("host host", names);
        Assert.Contains("none null", names);
        var addr = await _h.Host.CheckAsync("ip", "-4", "-o", "addr", "show", "bnet0");
        Assert.Contains("172.17.0.1/16", addr, StringComparison.Ordinal);
        Assert.Equal("1", (await _h.Host.CheckAsync("cat", "/proc/sys/net/ipv4/ip_forward")).Trim());
        var e = await Assert.ThrowsAsync<BerthException>(() => S.GetNetworkAsync("nosuchnet", CancellationToken.None));
        Assert.Equal("network nosuchnet not found", e.Message);
        var rm = await Assert.ThrowsAsync<BerthException>(() => S.RemoveNetworkAsync("bridge", CancellationToken.None));
        Assert.Equal("bridge is a pre-defined network and cannot be removed", rm.Message);
        Assert.Equal(ErrorKind.Forbidden, rm.Kind);
    }

    [Fact]
    public async Task Containers_on_one_user_network_talk_and_resolve_each_other_but_not_across_networks()
    {
        await S.CreateNetworkAsync(new NetworkCreateSpec { Name = "app" }, CancellationToken.None);
        await S.CreateNetworkAsync(new NetworkCreateSpec { Name = "other" }, CancellationToken.None);
        var web1 = await RunAsync("web1", "app", new EndpointRequest { Aliases = ["search"] });
        var web2 = await RunAsync("web2", "app", new EndpointRequest { Aliases = ["search"] });
        var outsider = await RunAsync("outsider", "other");

        Assert.Equal("172.18.0.2", web1.Endpoints[0].IPAddress);
        Assert.Equal("172.18.0.3", web2.Endpoints[0].IPAddress);
        Assert.Equal("172.19.0.2", outsider.Endpoints[0].IPAddress);
        Assert.Equal("02:42:ac:12:00:02", web1.Endpoints[0].MacAddress);
        Assert.Equal("nameserver 127.0.0.11\noptions ndots:0\n".Replace("nameserver", "search example.test\nnameserver", StringComparison.Ordinal), web1.ResolvConf);
        Assert.EndsWith("172.18.0.2\tweb1\n", web1.Hosts, StringComparison.Ordinal);

        var ping = await ServiceHost.InContainerAsync(web1.NetnsPath!, "busybox", "ping", "-c1", "-W2", "172.18.0.3");
        Assert.True(ping.ExitCode == 0, ping.ToString());
        var iso = await ServiceHost.InContainerAsync(outsider.NetnsPath!, "busybox", "ping", "-c1", "-W1", "172.18.0.3");
        Assert.NotEqual(0, iso.ExitCode);

        var ns = await ServiceHost.InContainerAsync(web1.NetnsPath!, "busybox", "nslookup", "web2", "127.0.0.11");
        Assert.True(ns.ExitCode == 0, ns.ToString());
        Assert.Contains("Address: 172.18.0.3", ns.Stdout, StringComparison.Ordinal);
        var rr = await ServiceHost.InContainerAsync(web1.NetnsPath!, "busybox", "nslookup", "search", "127.0.0.11");
        Assert.Contains("Address: 172.18.0.2", rr.Stdout, StringComparison.Ordinal);
        Assert.Contains("Address: 172.18.0.3", rr.Stdout, StringComparison.Ordinal);
        var cross = await ServiceHost.InContainerAsync(outsider.NetnsPath!, "busybox", "nslookup", "web2", "127.0.0.11");
        Assert.DoesNotContain("172.18.0.3", cross.Stdout, StringComparison.Ordinal);
        var rev = await ServiceHost.InContainerAsync(web1.NetnsPath!, "busybox", "nslookup", "172.18.0.3", "127.0.0.11");
        Assert.Contains("web2.app", rev.Stdout, StringComparison.Ordinal);

        var view = (await S.GetNetworkAsync("app", CancellationToken.None));
        Assert.Equal(["web1", "web2"], view.Endpoints.Select(e => e.ContainerName).Order().ToArray());
        var busy = await Assert.ThrowsAsync<BerthException>(() => S.RemoveNetworkAsync("app", CancellationToken.None));
        Assert.Contains("has active endpoints", busy.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Published_ports_answer_from_the_host_on_loopback_and_hairpin_and_are_removed_on_detach()
    {
        var id = NewId();
        var a = await S.AttachAsync(new ContainerNetworkRequest
        {
            ContainerId = id,
            ContainerName = "pub",
            NetworkMode = "bridge",
            PortBindings = new Dictionary<string, IReadOnlyList<PortBindingRequest>>
            {
                ["80/tcp"] = [new PortBindingRequest("127.0.0.1", "18080")],
                ["81/tcp"] = [new PortBindingRequest(string.Empty, string.Empty)],
            },
        }, CancellationToken.None);
        Assert.Equal(2, a.Ports.Count);
        Assert.Equal(new PortBinding(80, "tcp", "127.0.0.1", 18080), a.Ports[0]);
        var random = a.Ports[1];
        Assert.Equal("0.0.0.0", random.HostIp);
        Assert.Equal(32768, random.HostPort);

        Directory.CreateDirectory(Path.Combine(_h.Dir, "www"));
        await File.WriteAllTextAsync(Path.Combine(_h.Dir, "www", "index.html"), "hello from pub\n");
        _h.StartInContainer(a.NetnsPath!, "busybox", "httpd", "-f", "-p", "80", "-h", Path.Combine(_h.Dir, "www"));
        _h.StartInContainer(a.NetnsPath!, "busybox", "httpd", "-f", "-p", "81", "-h", Path.Combine(_h.Dir, "www"));

        var body = await RetryAsync(() => _h.Host.ExecAsync("busybox", "wget", "-q", "-O", "-", "http://127.0.0.1:18080/"));
        Assert.Equal("hello from pub\n", body.Stdout);
        var viaAny = await RetryAsync(() => _h.Host.ExecAsync("busybox", "wget", "-q", "-O", "-", $"http://127.0.0.1:{random.HostPort}/"));
        Assert.Equal("hello from pub\n", viaAny.Stdout);

        // Hairpin: another container reaches the published port through the gateway address.
        var other = await RunAsync("client", "bridge");
        var hairpin = await RetryAsync(() => ServiceHost.InContainerAsync(other.NetnsPath!, "busybox", "wget", "-q", "-O", "-", $"http://172.17.0.1:{random.HostPort}/"));
        Assert.Equal("hello from pub\n", hairpin.Stdout);

        var clash = await Assert.ThrowsAsync<BerthException>(() => S.AttachAsync(new ContainerNetworkRequest
        {
            ContainerId = NewId(),
            ContainerName = "clash",
            PortBindings = new Dictionary<string, IReadOnlyList<PortBindingRequest>> { ["80/tcp"] = [new PortBindingRequest("127.0.0.1", "18080")] },
        }, CancellationToken.None));
        Assert.Equal("Bind for 127.0.0.1:18080 failed: port is already allocated", clash.Message);

        await _h.StopContainerAsync(a.NetnsPath!);
        await S.DetachAsync(id, CancellationToken.None);
        var rules = await _h.Host.CheckAsync("nft", "list", "table", "ip", "berth");
        Assert.DoesNotContain("18080", rules, StringComparison.Ordinal);
        Assert.False(File.Exists(a.NetnsPath));
        // The kernel deletes the veth pair with the namespace, in the background.
        await RetryAsync(async () =>
        {
            var links = await _h.Host.CheckAsync("ip", "-o", "link", "show", "master", "bnet0");
            return new CommandResult(links.Trim().Split('\n').Length == 1 ? 0 : 1, links, string.Empty);
        });
    }

    private static async Task<CommandResult> RetryAsync(Func<Task<CommandResult>> f)
    {
        CommandResult r = null!;
        for (var i = 0; i < 30; i++)
        {
            r = await f();
            if (r.ExitCode == 0)
            {
                return r;
            }

            await Task.Delay(100);
        }

        Assert.Fail(r.ToString());
        return r;
    }
}
