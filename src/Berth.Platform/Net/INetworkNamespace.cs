using System.Net;
using System.Net.Sockets;

namespace Berth.Platform.Net;

/// <summary>
/// One network namespace inside an <see cref="INetworkKernel"/> work item: its links, IPv4
/// addresses and routes (rtnetlink's semantics and errors: <see cref="NetlinkException"/> with the
/// errno), nftables batches, sysctls and sockets. Valid only while the work item runs.
/// </summary>
public interface INetworkNamespace
{
    IReadOnlyList<LinkInfo> ListLinks();

    /// <summary>The link with this name, or null.</summary>
    LinkInfo? GetLink(string name);

    /// <summary>Creates a Linux bridge (EEXIST when the name is taken).</summary>
    void CreateBridge(string name, int mtu = 0, byte[]? mac = null);

    /// <summary>
    /// Creates a veth pair: <see cref="VethSpec.Name"/> here (attached to the master, up), the peer
    /// directly inside <paramref name="peer"/> (here when null). The spec's own namespace handle is
    /// not used: <paramref name="peer"/> says where the peer goes.
    /// </summary>
    void CreateVeth(VethSpec spec, INetworkNamespace? peer);

    /// <summary>Creates a macvlan link on a parent of this namespace, directly inside <paramref name="target"/> (here when null).</summary>
    void CreateMacvlan(SubLinkSpec spec, MacvlanMode mode, INetworkNamespace? target);

    /// <summary>Creates an ipvlan link on a parent of this namespace, directly inside <paramref name="target"/> (here when null).</summary>
    void CreateIpvlan(SubLinkSpec spec, IpvlanMode mode, INetworkNamespace? target);

    /// <summary>Deletes a link (and a veth's peer with it); false when there is none.</summary>
    bool DeleteLink(string name);

    void SetUp(int index);

    void SetMtu(int index, int mtu);

    /// <summary>Adds an IPv4 address with its prefix (EEXIST when the link has it already).</summary>
    void AddAddress(int index, IPAddress address, int prefixLength);

    IReadOnlyList<AddressInfo> ListAddresses();

    /// <summary>Adds a route to the main table: via <paramref name="gateway"/>, or on-link when null.</summary>
    void AddRoute(IPAddress? destination, int prefixLength, IPAddress? gateway, int outIndex, bool replace = false);

    /// <summary>Unicast IPv4 routes of the main table.</summary>
    IReadOnlyList<RouteInfo> ListRoutes();

    /// <summary>Applies an nftables batch atomically (<see cref="NftablesException"/> when refused); returns nft's output.</summary>
    string RunNftables(string batch);

    /// <summary>A kernel parameter of this namespace ("net/ipv4/ip_forward"), or null when it does not exist.</summary>
    string? ReadSysctl(string path);

    void WriteSysctl(string path, string value);

    /// <summary>
    /// An IPv4 socket of this namespace, bound to <paramref name="bindTo"/> when given (stream
    /// sockets with SO_REUSEADDR, so a restarted daemon rebinds past TIME_WAIT). The caller owns it.
    /// </summary>
    Socket OpenSocket(SocketType type, ProtocolType protocol, IPEndPoint? bindTo = null);
}
