using System.Text;
using Berth.Networking;
using Berth.Networking.Model;
using Berth.Networking.Ports;
using Berth.Runtime;
using Berth.Tests.Integration.Runtime;

namespace Berth.Tests.Integration.Networking;

/// <summary>
/// Real containers (runc through the runtime) joining the namespaces the network service made,
/// with the hosts and resolv.conf files it wrote bind-mounted, as the container service will do.
/// </summary>
public sealed class RuncNetworkTests(RuntimeTestEnvironment env) : IClassFixture<RuntimeTestEnvironment>, IAsyncLifetime
{
    private ServiceHost _h = null!;

    public async Task InitializeAsync() => _h = await ServiceHost.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private async Task<(string Id, NetworkAttachment Net)> RunAsync(string name, string network, string[] args, Func<ContainerNetworkRequest, ContainerNetworkRequest>? change = null)
    {
        var id = RuntimeTestEnvironment.NewId();
        var files = Path.Combine(_h.Dir, "containers", id[..12]);
        Directory.CreateDirectory(files);
        var request = new ContainerNetworkRequest
        {
            ContainerId = id,
            ContainerName = name,
            Hostname = id[..12],
            NetworkMode = network,
            Dns = ["127.0.0.1"],
            // busybox's nslookup asks only name.<search domain> for dotless names when a search
            // line exists; "." drops the line (as with docker run --dns-search .).
            DnsSearch = ["."],
            HostsPath = Path.Combine(files, "hosts"),
            ResolvConfPath = Path.Combine(files, "resolv.conf"),
        };
        var net = await _h.Service.AttachAsync(change?.Invoke(request) ?? request, CancellationToken.None);
        var launch = env.Launch(id, args) with
        {
            NetworkMode = net.RuntimeNetworkMode,
            Mounts =
            [
                new MountLaunch(request.HostsPath, "/etc/hosts", "bind", ["rbind", "rprivate"]),
                new MountLaunch(request.ResolvConfPath, "/etc/resolv.conf", "bind", ["rbind", "rprivate"]),
            ],
        };
        await env.Runtime.StartAsync(launch, CancellationToken.None);
        return (id, net);
    }

    private async Task<(int Exit, string Log)> FinishAsync(string id)
    {
        var exit = await env.Runtime.WaitAsync(id, CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
        var log = await env.ReadLogTextAsync(env.Runtime, id);
        await _h.Service.DetachAsync(id, CancellationToken.None);
        await env.Runtime.DeleteAsync(id, CancellationToken.None);
        return (exit.ExitCode, log);
    }

    [Fact]
    public async Task Containers_resolve_and_reach_each_other_and_publish_ports()
    {
        await _h.Service.CreateNetworkAsync(new NetworkCreateSpec { Name = "app" }, CancellationToken.None);
        var (webId, web) = await RunAsync("web", "app", ["sh", "-c", "mkdir -p /www && echo hello from web > /www/index.html && exec httpd -f -p 80 -h /www"], r => r with
        {
            Endpoints = new Dictionary<string, EndpointRequest> { ["app"] = new() { Aliases = ["www"] } },
            PortBindings = new Dictionary<string, IReadOnlyList<PortBindingRequest>> { ["80/tcp"] = [new("127.0.0.1", "18085")] },
        });

        var (clientId, _) = await RunAsync("client", "app", ["sh", "-c", "cat /etc/resolv.conf; ip -o link | cut -d: -f2; ping -c1 -W2 web && nslookup www && wget -q -O - http://web/"]);
        var (exit, log) = await FinishAsync(clientId);
        Assert.True(exit == 0, log);
        Assert.StartsWith("nameserver 127.0.0.11\noptions ndots:0\n", log, StringComparison.Ordinal);
        Assert.Contains($"({web.Endpoints[0].IPAddress})", log, StringComparison.Ordinal);
        Assert.Contains("Address: " + web.Endpoints[0].IPAddress, log, StringComparison.Ordinal);
        Assert.Contains("hello from web", log, StringComparison.Ordinal);
        Assert.DoesNotContain("eth1", log, StringComparison.Ordinal);

        var fromHost = await RetryAsync(() => _h.Host.ExecAsync("busybox", "wget", "-q", "-O", "-", "http://127.0.0.1:18085/"));
        Assert.Equal("hello from web\n", fromHost.Stdout);

        await env.Runtime.KillAsync(webId, 9, CancellationToken.None);
        await FinishAsync(webId);
        var rules = await _h.Host.CheckAsync("nft", "list", "table", "ip", "berth");
        Assert.DoesNotContain("18085", rules, StringComparison.Ordinal);
    }

    [Fact]
    public async Task None_and_default_bridge_containers_see_what_docker_shows()
    {
        var (noneId, _) = await RunAsync("none", "none", ["sh", "-c", "ip -o link | cut -d: -f2 | tr -d ' '"]);
        var none = await FinishAsync(noneId);
        Assert.Equal("lo", none.Log.Trim());

        var (peerId, peer) = await RunAsync("peer", "bridge", ["sleep", "60"]);
        var (defId, _) = await RunAsync("def", "bridge", ["sh", "-c", $"ping -c1 -W2 {peer.Endpoints[0].IPAddress} && cat /etc/resolv.conf && ! ping -c1 -W1 peer"]);
        var def = await FinishAsync(defId);
        Assert.True(def.Exit == 0, def.Log);
        Assert.DoesNotContain("127.0.0.11", def.Log, StringComparison.Ordinal);
        await env.Runtime.KillAsync(peerId, 9, CancellationToken.None);
        await FinishAsync(peerId);
    }

    private static async Task<Harness.CommandResult> RetryAsync(Func<Task<Harness.CommandResult>> f)
    {
        Harness.CommandResult r = null!;
        for (var i = 0; i < 50; i++)
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
