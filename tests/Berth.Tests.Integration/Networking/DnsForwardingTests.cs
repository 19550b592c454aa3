using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Berth.Core.Events;
using Berth.Networking;
using Berth.Networking.Dns;
using Berth.Networking.Ipam;
using Berth.Networking.Model;
using Berth.Platform.Net;

namespace Berth.Tests.Integration.Networking;

/// <summary>
/// Names the embedded server does not own go to upstream servers, reached from where Docker
/// reaches them: --dns servers from inside the container, the host's localhost resolver from
/// the host. Upstreams here are tiny fake servers on loopback; nothing leaves the machine.
/// </summary>
public sealed class DnsForwardingTests : IAsyncLifetime
{
    private readonly EventBus _events = new(TimeProvider.System);
    private readonly NamespaceThread _thread = new("dns-fwd-test");
    private readonly List<Socket> _servers = [];
    private ServiceHost _h = null!;

    public async Task InitializeAsync() => _h = await ServiceHost.StartAsync(events: _events);

    public async Task DisposeAsync()
    {
        foreach (var s in _servers)
        {
            s.Dispose();
        }

        await _h.DisposeAsync();
        _thread.Dispose();
    }

    /// <summary>A UDP and TCP server on 127.0.0.1:53 in a namespace that answers every A query with <paramref name="answer"/>.</summary>
    private async Task FakeUpstreamAsync(string netns, string answer)
    {
        var (s, t) = await _thread.RunInAsync(netns, () =>
        {
            using var lo = Netlink.Open();
            lo.SetUp(1);
            var sock = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            sock.Bind(new IPEndPoint(IPAddress.Loopback, 53));
            var tcp = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            tcp.Bind(new IPEndPoint(IPAddress.Loopback, 53));
            tcp.Listen(8);
            return (sock, tcp);
        });
        _servers.Add(s);
        _servers.Add(t);
        _ = Task.Run(async () =>
        {
            while (true)
            {
                try
                {
                    using var c = await t.AcceptAsync();
                    var buf = new byte[514];
                    var n = 0;
                    while (n < 2 || n < 2 + BinaryPrimitives.ReadUInt16BigEndian(buf))
                    {
                        n += await c.ReceiveAsync(buf.AsMemory(n), SocketFlags.None);
                    }

                    var resp = new byte[514];
                    if (DnsWire.TryParseQuery(buf.AsSpan(2, n - 2), out var q))
                    {
                        var len = DnsWire.WriteAddresses(resp.AsSpan(2), buf.AsSpan(2, n - 2), q, [Ipv4.Parse(answer)], 30, 512);
                        BinaryPrimitives.WriteUInt16BigEndian(resp, (ushort)len);
                        await c.SendAsync(resp.AsMemory(0, len + 2), SocketFlags.None);
                    }
                }
                catch (Exception)
                {
                    return;
                }
            }
        });
        _ = Task.Run(async () =>
        {
            var buf = new byte[512];
            var resp = new byte[512];
            var from = new SocketAddress(AddressFamily.InterNetwork);
            while (true)
            {
                int n;
                try
                {
                    n = await s.ReceiveFromAsync(buf, SocketFlags.None, from);
                }
                catch (Exception)
                {
                    return;
                }

                if (DnsWire.TryParseQuery(buf.AsSpan(0, n), out var q))
                {
                    var len = DnsWire.WriteAddresses(resp, buf.AsSpan(0, n), q, [Ipv4.Parse(answer)], 30, 512);
                    s.SendTo(resp.AsSpan(0, len), SocketFlags.None, from);
                }
            }
        });
    }

    private async Task<(int Rcode, string[] Ips)> QueryAsync(string netns, string name, bool tcp = false)
    {
        var query = DnsWire.BuildQuery(0x4242, name, DnsWire.TypeA);
        using var s = await _thread.RunInAsync(netns, () => tcp
            ? new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp)
            : new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp));
        s.ReceiveTimeout = 6000;
        await s.ConnectAsync(new IPEndPoint(IPAddress.Parse("127.0.0.11"), 53));
        var buf = new byte[1024];
        int n;
        if (tcp)
        {
            var framed = new byte[query.Length + 2];
            BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
            query.CopyTo(framed, 2);
            s.Send(framed);
            n = 0;
            while (n < 2 || n < 2 + BinaryPrimitives.ReadUInt16BigEndian(buf))
            {
                n += s.Receive(buf.AsSpan(n));
            }

            buf = buf[2..n];
            n -= 2;
        }
        else
        {
            s.Send(query);
            n = s.Receive(buf);
        }

        Assert.Equal(0x4242, BinaryPrimitives.ReadUInt16BigEndian(buf));
        var ips = DnsWire.ReadARecords(buf.AsSpan(0, n), out var rcode, out _);
        return (rcode, ips.Select(Ipv4.Format).ToArray());
    }

    [Fact]
    public async Task Dns_servers_given_to_the_container_are_asked_from_inside_its_namespace_over_udp_and_tcp()
    {
        await _h.Service.CreateNetworkAsync(new NetworkCreateSpec { Name = "fwd" }, CancellationToken.None);
        var a = await _h.Service.AttachAsync(new ContainerNetworkRequest { ContainerId = Berth.Core.Ids.IdGenerator.NewId(), ContainerName = "c", NetworkMode = "fwd", Dns = ["127.0.0.1"] }, CancellationToken.None);

        // Nobody listens on the container's 127.0.0.1:53 yet: SERVFAIL (that it comes at once,
        // not after a timeout, is measured by the Timing test below).
        var refused = await QueryAsync(a.NetnsPath!, "external.example");
        Assert.Equal(DnsWire.RcodeServFail, refused.Rcode);

        await FakeUpstreamAsync(a.NetnsPath!, "192.0.2.7");
        var answered = await QueryAsync(a.NetnsPath!, "external.example");
        Assert.Equal(0, answered.Rcode);
        Assert.Equal(["192.0.2.7"], answered.Ips);
        var overTcp = await QueryAsync(a.NetnsPath!, "external.example", tcp: true);
        Assert.Equal(["192.0.2.7"], overTcp.Ips);
        var own = await QueryAsync(a.NetnsPath!, "c", tcp: true);
        Assert.Equal([a.Endpoints[0].IPAddress], own.Ips);
    }

    [Fact]
    [Trait("Category", TimingCollection.Category)]
    public async Task A_refused_upstream_gets_servfail_at_once_not_after_a_timeout()
    {
        await _h.Service.CreateNetworkAsync(new NetworkCreateSpec { Name = "fwdtime" }, CancellationToken.None);
        var a = await _h.Service.AttachAsync(new ContainerNetworkRequest { ContainerId = Berth.Core.Ids.IdGenerator.NewId(), ContainerName = "ct", NetworkMode = "fwdtime", Dns = ["127.0.0.1"] }, CancellationToken.None);
        var sw = System.Diagnostics.Stopwatch.StartNew();
        var refused = await QueryAsync(a.NetnsPath!, "external.example");
        Assert.Equal(DnsWire.RcodeServFail, refused.Rcode);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(2), sw.Elapsed.ToString());
    }

    [Fact]
    public async Task The_hosts_localhost_resolver_is_asked_from_the_host_namespace()
    {
        // The host's resolv.conf of this ServiceHost says "nameserver 127.0.0.1": Docker forwards
        // such servers from the host, not from the container.
        await FakeUpstreamAsync(_h.Host.Path, "192.0.2.9");
        await _h.Service.CreateNetworkAsync(new NetworkCreateSpec { Name = "hostfwd" }, CancellationToken.None);
        var a = await _h.Service.AttachAsync(new ContainerNetworkRequest { ContainerId = Berth.Core.Ids.IdGenerator.NewId(), ContainerName = "c2", NetworkMode = "hostfwd" }, CancellationToken.None);
        var answered = await QueryAsync(a.NetnsPath!, "external.example");
        Assert.Equal(["192.0.2.9"], answered.Ips);
    }

    [Fact]
    public async Task Network_events_are_published_as_docker_does()
    {
        using var sub = _events.Subscribe();
        var id = await _h.Service.CreateNetworkAsync(new NetworkCreateSpec { Name = "evnet" }, CancellationToken.None);
        var cid = Berth.Core.Ids.IdGenerator.NewId();
        await _h.Service.AttachAsync(new ContainerNetworkRequest { ContainerId = cid, ContainerName = "ev", NetworkMode = "evnet" }, CancellationToken.None);
        await _h.Service.DetachAsync(cid, CancellationToken.None);
        await _h.Service.RemoveNetworkAsync("evnet", CancellationToken.None);
        var seen = new List<EngineEvent>();
        while (sub.Live.TryRead(out var e))
        {
            seen.Add(e);
        }

        Assert.Equal(["create", "connect", "disconnect", "destroy"], seen.Select(e => e.Action));
        Assert.All(seen, e => Assert.Equal(("network", id), (e.Type, e.ActorId)));
        Assert.Equal(cid, seen[1].Attributes["container"]);
        Assert.Equal(("evnet", "bridge"), (seen[1].Attributes["name"], seen[1].Attributes["type"]));
    }
}
