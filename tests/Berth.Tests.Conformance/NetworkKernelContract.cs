using System.Net;
using System.Net.Sockets;
using Berth.Platform.Net;

namespace Berth.Tests.Conformance;

/// <summary>
/// The behaviour every <see cref="INetworkKernel"/> must have, as the network controller relies
/// on it: links, addresses and routes in the home namespace and in bound namespaces, a veth's
/// peer made directly inside a new namespace with the index and MAC asked for, rtnetlink's errors,
/// bound namespaces listed and removed, sysctls, sockets that serve where they were bound, and
/// namespaces refused outside their work item. Derived once for the in-memory fake (unit tests)
/// and once for LinuxNetworkKernel in a test namespace (integration tests).
/// nftables batches are not part of it: the fake keeps them without interpreting them.
/// </summary>
public abstract class NetworkKernelContract
{
    protected abstract INetworkKernel Kernel { get; }

    /// <summary>A directory where the tests may bind namespaces (empty at the start).</summary>
    protected abstract string NetnsDirectory { get; }

    [Fact]
    public async Task A_bridge_is_listed_addressed_up_and_routed_and_its_name_is_taken()
    {
        var (bridge, addresses, routes) = await Kernel.RunAsync(host =>
        {
            host.CreateBridge("bkc0", 1400, [0x02, 0x42, 1, 2, 3, 4]);
            var link = host.GetLink("bkc0")!;
            host.AddAddress(link.Index, IPAddress.Parse("10.231.0.1"), 24);
            host.SetUp(link.Index);
            return (host.GetLink("bkc0")!, host.ListAddresses(), host.ListRoutes());
        });

        Assert.Equal("bridge", bridge.Kind);
        Assert.Equal(1400, bridge.Mtu);
        Assert.Equal("02:42:01:02:03:04", bridge.MacAddress);
        Assert.True(bridge.Up);
        Assert.Contains(addresses, a => a.Index == bridge.Index && a.Address.Equals(IPAddress.Parse("10.231.0.1")) && a.PrefixLength == 24);
        Assert.Contains(routes, r => IPAddress.Parse("10.231.0.0").Equals(r.Destination) && r.PrefixLength == 24 && r.OutIndex == bridge.Index && r.Gateway is null);

        var again = await Assert.ThrowsAsync<NetlinkException>(() => Kernel.RunAsync(host =>
        {
            host.CreateBridge("bkc0");
            return 0;
        }));
        Assert.Equal(NetlinkException.EEXIST, again.Errno);
        var twice = await Assert.ThrowsAsync<NetlinkException>(() => Kernel.RunAsync(host =>
        {
            host.AddAddress(bridge.Index, IPAddress.Parse("10.231.0.1"), 24);
            return 0;
        }));
        Assert.Equal(NetlinkException.EEXIST, twice.Errno);

        Assert.True(await Kernel.RunAsync(host => host.DeleteLink("bkc0")));
        Assert.Null(await Kernel.RunAsync(host => host.GetLink("bkc0")));
        Assert.False(await Kernel.RunAsync(host => host.DeleteLink("bkc0")));
        Assert.DoesNotContain(await Kernel.RunAsync(host => host.ListRoutes()), r => r.OutIndex == bridge.Index);
    }

    [Fact]
    public async Task A_veth_peer_is_made_inside_a_new_namespace_with_the_index_and_mac_asked_for()
    {
        var path = Path.Combine(NetnsDirectory, "c1");
        var bridge = await Kernel.RunAsync(host =>
        {
            host.CreateBridge("bkc1");
            var b = host.GetLink("bkc1")!;
            host.AddAddress(b.Index, IPAddress.Parse("10.232.0.1"), 24);
            host.SetUp(b.Index);
            return b;
        });

        var (peer, hostEnd, innerRoutes) = await Kernel.RunInNewAsync(path, (host, inside) =>
        {
            inside.SetUp(1);
            host.CreateVeth(new VethSpec { Name = "vkc1", PeerName = "eth0", PeerMac = [0x02, 0x42, 10, 232, 0, 2], MasterIndex = bridge.Index, PeerIndex = 2 }, inside);
            inside.AddAddress(2, IPAddress.Parse("10.232.0.2"), 24);
            inside.SetUp(2);
            inside.AddRoute(null, 0, IPAddress.Parse("10.232.0.1"), 2, replace: true);
            return (inside.GetLink("eth0")!, host.GetLink("vkc1")!, inside.ListRoutes());
        });

        Assert.Equal(2, peer.Index);
        Assert.Equal("veth", peer.Kind);
        Assert.Equal("02:42:0a:e8:00:02", peer.MacAddress);
        Assert.Equal(bridge.Index, hostEnd.MasterIndex);
        Assert.True(hostEnd.Up);
        Assert.Contains(innerRoutes, r => r.Destination is null && IPAddress.Parse("10.232.0.1").Equals(r.Gateway) && r.OutIndex == 2);
        Assert.Contains(path, Kernel.ListBound(NetnsDirectory));

        // The peer lives in the container's namespace only; it is found there by a later work item.
        var (inHost, inside) = await Kernel.RunInAsync(path, (host, ns) => (host.GetLink("eth0"), ns.GetLink("eth0")));
        Assert.Null(inHost);
        Assert.NotNull(inside);
        var replaced = await Assert.ThrowsAsync<NetlinkException>(() => Kernel.RunInAsync(path, (_, ns) =>
        {
            ns.AddRoute(null, 0, IPAddress.Parse("10.232.0.1"), 2);
            return 0;
        }));
        Assert.Equal(NetlinkException.EEXIST, replaced.Errno);

        // Deleting the host end takes the peer with it.
        Assert.True(await Kernel.RunAsync(host => host.DeleteLink("vkc1")));
        Assert.Null(await Kernel.RunInAsync(path, (_, ns) => ns.GetLink("eth0")));

        await Kernel.RemoveBoundAsync(path);
        Assert.DoesNotContain(path, Kernel.ListBound(NetnsDirectory));
        await Assert.ThrowsAnyAsync<IOException>(() => Kernel.RunInAsync(path, (_, ns) => ns.ListLinks()));
        await Kernel.RemoveBoundAsync(path); // idempotent
    }

    [Fact]
    public async Task A_link_on_a_missing_interface_index_is_refused_with_enodev()
    {
        var e = await Assert.ThrowsAsync<NetlinkException>(() => Kernel.RunAsync(host =>
        {
            host.SetUp(987654);
            return 0;
        }));
        Assert.Equal(NetlinkException.ENODEV, e.Errno);
    }

    [Fact]
    public async Task Sysctls_read_back_what_was_written_and_unknown_ones_are_null()
    {
        var (forward, missing, range) = await Kernel.RunAsync(host =>
        {
            host.WriteSysctl("net/ipv4/ip_forward", "1");
            return (host.ReadSysctl("net/ipv4/ip_forward"), host.ReadSysctl("net/ipv4/no_such_parameter"), host.ReadSysctl("net/ipv4/ip_local_port_range"));
        });
        Assert.Equal("1", forward);
        Assert.Null(missing);
        Assert.Matches(@"^\d+\s+\d+$", range);
    }

    [Fact]
    public async Task A_socket_bound_in_a_namespace_receives_what_is_sent_to_it_from_there()
    {
        var path = Path.Combine(NetnsDirectory, "c2");
        using var server = await Kernel.RunInNewAsync(path, (_, inside) =>
        {
            inside.SetUp(1);
            return inside.OpenSocket(SocketType.Dgram, ProtocolType.Udp, new IPEndPoint(IPAddress.Parse("127.0.0.11"), 53));
        });
        using var client = await Kernel.RunInAsync(path, (_, inside) => inside.OpenSocket(SocketType.Dgram, ProtocolType.Udp));
        await client.SendToAsync(new byte[] { 42 }, server.LocalEndPoint!);
        var buffer = new byte[8];
        var received = await server.ReceiveFromAsync(buffer, new IPEndPoint(IPAddress.Any, 0)).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(1, received.ReceivedBytes);
        Assert.Equal(42, buffer[0]);
        await Kernel.RemoveBoundAsync(path);
    }

    [Fact]
    public async Task A_namespace_is_refused_for_sysctls_and_sockets_once_its_work_item_ended()
    {
        var kept = await Kernel.RunAsync(host => host);
        Assert.Throws<InvalidOperationException>(() => kept.ReadSysctl("net/ipv4/ip_forward"));
        Assert.Throws<InvalidOperationException>(() => kept.OpenSocket(SocketType.Dgram, ProtocolType.Udp).Dispose());
    }
}
