using Berth.Core.Errors;
using Berth.Networking;
using Berth.Networking.Model;
using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Networking;

/// <summary>Connect/disconnect, restart and crash recovery, none/host/container modes, internal networks, NAT, macvlan.</summary>
public sealed class NetworkLifecycleTests : IAsyncLifetime
{
    private ServiceHost _h = null!;

    private NetworkService S => _h.Service;

    public async Task InitializeAsync() => _h = await ServiceHost.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private static string NewId() => Berth.Core.Ids.IdGenerator.NewId();

    private Task<NetworkAttachment> AttachAsync(string id, string name, string network, EndpointRequest? ep = null, string? hostsPath = null, string? resolvPath = null) =>
        S.AttachAsync(new ContainerNetworkRequest
        {
            ContainerId = id,
            ContainerName = name,
            Hostname = id[..12],
            NetworkMode = network,
            Endpoints = ep is null ? new Dictionary<string, EndpointRequest>() : new Dictionary<string, EndpointRequest> { [network] = ep },
            Dns = ["127.0.0.1"],
            HostsPath = hostsPath,
            ResolvConfPath = resolvPath,
        }, CancellationToken.None);

    private static Task<CommandResult> In(NetworkAttachment a, params string[] args) => ServiceHost.InContainerAsync(a.NetnsPath!, args);

    [Fact]
    public async Task Connect_adds_eth1_alias_and_hosts_line_and_disconnect_removes_them()
    {
        await S.CreateNetworkAsync(new NetworkCreateSpec { Name = "app" }, CancellationToken.None);
        var web = await AttachAsync(NewId(), "web1", "app");
        var lonelyId = NewId();
        var hosts = Path.Combine(_h.Dir, "lonely-hosts");
        var resolv = Path.Combine(_h.Dir, "lonely-resolv");
        var lonely = await AttachAsync(lonelyId, "lonely", "bridge", hostsPath: hosts, resolvPath: resolv);
        Assert.DoesNotContain("127.0.0.11", await File.ReadAllTextAsync(resolv), StringComparison.Ordinal);
        Assert.Contains("nameserver 127.0.0.1", await File.ReadAllTextAsync(resolv), StringComparison.Ordinal);

        var connected = await S.ConnectAsync(lonelyId, "app", new EndpointRequest { Aliases = ["db-alias"] }, CancellationToken.None);
        Assert.Equal(["bridge", "app"], connected.Endpoints.Select(e => e.NetworkName));
        var ifs = await In(lonely, "ip", "-o", "link");
        Assert.Contains(": eth1@", ifs.Stdout, StringComparison.Ordinal);
        var resolved = await In(web, "busybox", "nslookup", "db-alias", "127.0.0.11");
        Assert.Contains("Address: " + connected.Endpoints[1].IPAddress, resolved.Stdout, StringComparison.Ordinal);
        var ping = await In(web, "busybox", "ping", "-c1", "-W2", connected.Endpoints[1].IPAddress);
        Assert.True(ping.ExitCode == 0, ping.ToString());
        Assert.Contains(connected.Endpoints[1].IPAddress + "\t", await File.ReadAllTextAsync(hosts), StringComparison.Ordinal);
        // The first user network starts the embedded DNS server and rewrites resolv.conf (as Docker).
        Assert.Equal("search example.test\nnameserver 127.0.0.11\noptions ndots:0\n", await File.ReadAllTextAsync(resolv));
        var again = await Assert.ThrowsAsync<BerthException>(() => S.ConnectAsync(lonelyId, "app", new EndpointRequest(), CancellationToken.None));
        Assert.Equal("endpoint with name lonely already exists in network app", again.Message);

        var disconnected = await S.DisconnectAsync(lonelyId, "app", force: false, CancellationToken.None);
        Assert.Single(disconnected.Endpoints);
        ifs = await In(lonely, "ip", "-o", "link");
        Assert.DoesNotContain("eth1", ifs.Stdout, StringComparison.Ordinal);
        resolved = await In(web, "busybox", "nslookup", "db-alias", "127.0.0.11");
        Assert.DoesNotContain(connected.Endpoints[1].IPAddress, resolved.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain(connected.Endpoints[1].IPAddress, await File.ReadAllTextAsync(hosts), StringComparison.Ordinal);
        var route = await In(lonely, "ip", "route");
        Assert.Contains("default via 172.17.0.1 dev eth0", route.Stdout, StringComparison.Ordinal);
        var notConnected = await Assert.ThrowsAsync<BerthException>(() => S.DisconnectAsync(lonelyId, "app", false, CancellationToken.None));
        Assert.Equal($"container {lonelyId} is not connected to network app", notConnected.Message);
    }

    [Fact]
    public async Task Fixed_ip_and_mac_and_the_rules_docker_puts_on_them()
    {
        await S.CreateNetworkAsync(new NetworkCreateSpec { Name = "fixed", IpamConfig = [new IpamPoolSpec { Subnet = "10.213.3.0/24" }] }, CancellationToken.None);
        await S.CreateNetworkAsync(new NetworkCreateSpec { Name = "auto" }, CancellationToken.None);
        var a = await AttachAsync(NewId(), "fixed1", "fixed", new EndpointRequest { IPv4Address = "10.213.3.77", MacAddress = "02:aa:bb:cc:dd:ee" });
        Assert.Equal("10.213.3.77", a.Endpoints[0].IPAddress);
        var mac = await In(a, "ip", "-o", "link", "show", "eth0");
        Assert.Contains("link/ether 02:aa:bb:cc:dd:ee ", mac.Out, StringComparison.Ordinal);
        var taken = await Assert.ThrowsAsync<BerthException>(() => AttachAsync(NewId(), "fixed2", "fixed", new EndpointRequest { IPv4Address = "10.213.3.77" }));
        Assert.Equal("Address already in use", taken.Message);
        var onAuto = await Assert.ThrowsAsync<BerthException>(() => AttachAsync(NewId(), "x", "auto", new EndpointRequest { IPv4Address = "172.18.0.50" }));
        Assert.Equal("user specified IP address is supported only when connecting to networks with user configured subnets", onAuto.Message);
        var onBridge = await Assert.ThrowsAsync<BerthException>(() => AttachAsync(NewId(), "y", "bridge", new EndpointRequest { IPv4Address = "172.17.0.50" }));
        Assert.Equal("user specified IP address is supported on user defined networks only", onBridge.Message);
        var alias = await Assert.ThrowsAsync<BerthException>(() => AttachAsync(NewId(), "z", "bridge", new EndpointRequest { Aliases = ["a"] }));
        Assert.Equal("network-scoped alias is supported only for containers in user defined networks", alias.Message);
        var unknown = await Assert.ThrowsAsync<BerthException>(() => AttachAsync(NewId(), "u", "nosuchnet"));
        Assert.Equal("network nosuchnet not found", unknown.Message);
    }

    [Fact]
    public async Task None_host_and_container_modes_make_no_kernel_objects()
    {
        var none = await S.AttachAsync(new ContainerNetworkRequest { ContainerId = NewId(), ContainerName = "n", Hostname = "n", NetworkMode = "none", ExtraHosts = ["foo:1.2.3.4"] }, CancellationToken.None);
        Assert.Equal("none", none.RuntimeNetworkMode);
        Assert.Null(none.NetnsPath);
        Assert.EndsWith("ff02::2\tip6-allrouters\n1.2.3.4\tfoo\n", none.Hosts, StringComparison.Ordinal);
        Assert.Equal("search example.test\n\nnameserver 8.8.8.8\nnameserver 8.8.4.4", none.ResolvConf); // Docker's FilterResolvDNS, blank line included

        var host = await S.AttachAsync(new ContainerNetworkRequest { ContainerId = NewId(), ContainerName = "h", NetworkMode = "host" }, CancellationToken.None);
        Assert.Equal("host", host.RuntimeNetworkMode);
        Assert.Equal("127.0.0.1\tlocalhost\n", host.Hosts);
        Assert.Equal("nameserver 127.0.0.1\nsearch example.test\n", host.ResolvConf);

        var ownerId = NewId();
        var owner = await AttachAsync(ownerId, "owner", "bridge");
        var shared = await S.AttachAsync(new ContainerNetworkRequest { ContainerId = NewId(), ContainerName = "s", NetworkMode = "container:" + owner.NetnsPath }, CancellationToken.None);
        Assert.Equal(owner.NetnsPath, shared.RuntimeNetworkMode);
        Assert.Null(shared.NetnsPath);
        Assert.Equal(owner.Hosts, shared.Hosts);
        Assert.Empty(NetworkSandboxes());
        IEnumerable<string> NetworkSandboxes() => Directory.GetFiles(Path.Combine(_h.DataRoot, "network", "sandboxes")).Where(f => !f.Contains(ownerId, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Outbound_traffic_is_masqueraded_except_on_internal_networks()
    {
        // An "outside" namespace reachable from the host namespace only, with no route back to containers.
        await using var outside = await TestNamespace.CreateAsync();
        await _h.Host.CheckAsync("ip", "link", "add", "bnetout0", "type", "veth", "peer", "name", "bnetout1", "netns", outside.Name);
        await _h.Host.CheckAsync("ip", "addr", "add", "10.213.99.1/24", "dev", "bnetout0");
        await _h.Host.CheckAsync("ip", "link", "set", "bnetout0", "up");
        await outside.CheckAsync("ip", "addr", "add", "10.213.99.2/24", "dev", "bnetout1");
        await outside.CheckAsync("ip", "link", "set", "bnetout1", "up");

        var c = await AttachAsync(NewId(), "nat", "bridge");
        var ping = await In(c, "busybox", "ping", "-c1", "-W2", "10.213.99.2");
        Assert.True(ping.ExitCode == 0, ping.ToString());

        await S.CreateNetworkAsync(new NetworkCreateSpec { Name = "internal", Internal = true }, CancellationToken.None);
        var i = await AttachAsync(NewId(), "int", "internal");
        var route = await In(i, "ip", "route");
        Assert.DoesNotContain("default", route.Stdout, StringComparison.Ordinal);
        var blockedOut = await In(i, "busybox", "ping", "-c1", "-W1", c.Endpoints[0].IPAddress);
        Assert.NotEqual(0, blockedOut.ExitCode);
        var blockedNat = await In(i, "busybox", "ping", "-c1", "-W1", "10.213.99.2");
        Assert.NotEqual(0, blockedNat.ExitCode);
    }

    [Fact]
    public async Task Macvlan_containers_on_a_veth_parent_reach_each_other_with_their_own_macs()
    {
        await _h.Host.CheckAsync("ip", "link", "add", "bnetmv0", "type", "veth", "peer", "name", "bnetmv1");
        await _h.Host.CheckAsync("ip", "link", "set", "bnetmv0", "up");
        await _h.Host.CheckAsync("ip", "link", "set", "bnetmv1", "up");
        await S.CreateNetworkAsync(new NetworkCreateSpec
        {
            Name = "mac",
            Driver = "macvlan",
            IpamConfig = [new IpamPoolSpec { Subnet = "10.213.2.0/24", Gateway = "10.213.2.1" }],
            Options = new Dictionary<string, string> { ["parent"] = "bnetmv0" },
        }, CancellationToken.None);
        var m1 = await AttachAsync(NewId(), "mac1", "mac");
        var m2 = await AttachAsync(NewId(), "mac2", "mac");
        Assert.Equal("10.213.2.2", m1.Endpoints[0].IPAddress);
        var addr = await In(m1, "ip", "-4", "-o", "addr", "show", "eth0");
        Assert.Contains("10.213.2.2/24", addr.Stdout, StringComparison.Ordinal);
        var ping = await In(m2, "busybox", "ping", "-c1", "-W2", "10.213.2.2");
        Assert.True(ping.ExitCode == 0, ping.ToString());
        var mac1 = await In(m1, "ip", "-o", "link", "show", "eth0");
        var mac2 = await In(m2, "ip", "-o", "link", "show", "eth0");
        Assert.Contains("link/ether 02:42:0a:d5:02:02 ", mac1.Out, StringComparison.Ordinal);
        Assert.Contains("link/ether 02:42:0a:d5:02:03 ", mac2.Out, StringComparison.Ordinal);
        var name = await In(m2, "busybox", "nslookup", "mac1", "127.0.0.11");
        Assert.Contains("Address: 10.213.2.2", name.Stdout, StringComparison.Ordinal);
        var kind = await In(m1, "ip", "-d", "link", "show", "eth0");
        Assert.Contains("macvlan mode bridge", kind.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Restart_keeps_live_containers_working_and_reconcile_removes_everything_else()
    {
        await S.CreateNetworkAsync(new NetworkCreateSpec { Name = "app" }, CancellationToken.None);
        var liveId = NewId();
        var deadId = NewId();
        var live = await AttachAsync(liveId, "live", "app", new EndpointRequest { Aliases = ["svc"] });
        var dead = await S.AttachAsync(new ContainerNetworkRequest
        {
            ContainerId = deadId,
            ContainerName = "dead",
            NetworkMode = "app",
            PortBindings = new Dictionary<string, IReadOnlyList<Berth.Networking.Ports.PortBindingRequest>> { ["80/tcp"] = [new("127.0.0.1", "18090")] },
        }, CancellationToken.None);
        // A leaked veth on our bridge and a leaked namespace file, as a crash mid-attach would leave.
        var bridge = "br-" + (await S.GetNetworkAsync("app", CancellationToken.None)).Network.Id[..12];
        await _h.Host.CheckAsync("ip", "link", "add", "vethleak0", "master", bridge, "type", "veth", "peer", "name", "vethleak1");
        Directory.CreateDirectory(Path.Combine(_h.ExecRoot, "netns"));
        await File.WriteAllTextAsync(Path.Combine(_h.ExecRoot, "netns", "leaked"), string.Empty);

        await _h.RestartAsync(crash: true);

        // DNS works again for the container that kept running.
        var ns = await In(live, "busybox", "nslookup", "dead", "127.0.0.11");
        Assert.Contains("Address: " + dead.Endpoints[0].IPAddress, ns.Stdout, StringComparison.Ordinal);
        Assert.Equal(live.Endpoints[0].IPAddress, (await S.GetAttachmentAsync(liveId, CancellationToken.None))!.Endpoints[0].IPAddress);

        await S.ReconcileAsync([liveId], CancellationToken.None);
        Assert.Null((await S.GetAttachmentAsync(deadId, CancellationToken.None)));
        Assert.False(File.Exists(dead.NetnsPath));
        Assert.False(File.Exists(Path.Combine(_h.ExecRoot, "netns", "leaked")));
        var rules = await _h.Host.CheckAsync("nft", "list", "table", "ip", "berth");
        Assert.DoesNotContain("18090", rules, StringComparison.Ordinal);
        var links = await _h.Host.CheckAsync("ip", "-o", "link", "show", "master", bridge);
        Assert.DoesNotContain("vethleak0", links, StringComparison.Ordinal);
        ns = await In(live, "busybox", "nslookup", "dead", "127.0.0.11");
        Assert.DoesNotContain(dead.Endpoints[0].IPAddress, ns.Stdout, StringComparison.Ordinal);
        ns = await In(live, "busybox", "nslookup", "svc", "127.0.0.11");
        Assert.Contains("Address: " + live.Endpoints[0].IPAddress, ns.Stdout, StringComparison.Ordinal);

        // The live container's address is never handed out again; the released one may be.
        var next = await AttachAsync(NewId(), "next", "app");
        Assert.NotEqual(live.Endpoints[0].IPAddress, next.Endpoints[0].IPAddress);
    }

    [Fact]
    public async Task Without_iptables_no_table_is_written()
    {
        await using var h = await ServiceHost.StartAsync(o => o with { Iptables = false });
        var tables = await h.Host.CheckAsync("nft", "list", "tables");
        Assert.DoesNotContain("berth", tables, StringComparison.Ordinal);
        var a = await h.Service.AttachAsync(new ContainerNetworkRequest { ContainerId = NewId(), ContainerName = "c", NetworkMode = "bridge" }, CancellationToken.None);
        Assert.Equal("172.17.0.2", a.Endpoints[0].IPAddress);
    }
}
