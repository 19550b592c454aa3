using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Microsoft.Win32.SafeHandles;

namespace Berth.Platform.Net;

/// <summary>
/// rtnetlink over a raw NETLINK_ROUTE socket: links (bridge, veth, macvlan, ipvlan), IPv4
/// addresses and routes. One request per call, acknowledged before returning, so callers see
/// kernel errors where they happen. The object works on the network namespace of the thread that
/// opened it; it is not thread-safe.
/// </summary>
public sealed class Netlink : IDisposable
{
    private const ushort RTM_NEWLINK = 16;
    private const ushort RTM_DELLINK = 17;
    private const ushort RTM_GETLINK = 18;
    private const ushort RTM_NEWADDR = 20;
    private const ushort RTM_GETADDR = 22;
    private const ushort RTM_NEWROUTE = 24;
    private const ushort RTM_DELROUTE = 25;
    private const ushort RTM_GETROUTE = 26;

    private const ushort IFLA_ADDRESS = 1;
    private const ushort IFLA_IFNAME = 3;
    private const ushort IFLA_MTU = 4;
    private const ushort IFLA_LINK = 5;
    private const ushort IFLA_MASTER = 10;
    private const ushort IFLA_LINKINFO = 18;
    private const ushort IFLA_NET_NS_FD = 28;
    private const ushort IFLA_INFO_KIND = 1;
    private const ushort IFLA_INFO_DATA = 2;
    private const ushort VETH_INFO_PEER = 1;
    private const ushort IFLA_MACVLAN_MODE = 1;
    private const ushort IFLA_IPVLAN_MODE = 1;
    private const ushort IFLA_IPVLAN_FLAGS = 2;

    private const ushort IFA_ADDRESS = 1;
    private const ushort IFA_LOCAL = 2;
    private const ushort IFA_BROADCAST = 4;

    private const ushort RTA_DST = 1;
    private const ushort RTA_OIF = 4;
    private const ushort RTA_GATEWAY = 5;
    private const ushort RTA_TABLE = 15;

    private const byte AF_INET = 2;
    private const uint IFF_UP = 1;
    private const byte RT_TABLE_MAIN = 254;
    private const byte RTPROT_BOOT = 3;
    private const byte RT_SCOPE_UNIVERSE = 0;
    private const byte RT_SCOPE_LINK = 253;
    private const byte RTN_UNICAST = 1;

    private const ushort Create = NetlinkSocket.NLM_F_REQUEST | NetlinkSocket.NLM_F_ACK | NetlinkSocket.NLM_F_CREATE | NetlinkSocket.NLM_F_EXCL;
    private const ushort Change = NetlinkSocket.NLM_F_REQUEST | NetlinkSocket.NLM_F_ACK;
    private const ushort DumpFlags = NetlinkSocket.NLM_F_REQUEST | NetlinkSocket.NLM_F_DUMP;

    private readonly NetlinkSocket _socket;

    private Netlink(NetlinkSocket socket)
    {
        _socket = socket;
    }

    /// <summary>Opens a socket bound to the calling thread's network namespace.</summary>
    public static Netlink Open() => new(NetlinkSocket.Open());

    public void Dispose() => _socket.Dispose();

    public void CreateBridge(string name, int mtu = 0, byte[]? mac = null)
    {
        var m = new NetlinkMessageBuilder(RTM_NEWLINK, Create).IfInfo(0).AttrString(IFLA_IFNAME, name);
        if (mtu > 0)
        {
            m.AttrU32(IFLA_MTU, (uint)mtu);
        }

        if (mac is not null)
        {
            m.Attr(IFLA_ADDRESS, mac);
        }

        var li = m.BeginNested(IFLA_LINKINFO);
        m.AttrString(IFLA_INFO_KIND, "bridge");
        m.EndNested(li);
        _socket.Execute(m, $"create bridge {name}");
    }

    /// <summary>Creates a veth pair; the local end is attached to the master (if any) and set up.</summary>
    public void CreateVeth(VethSpec spec)
    {
        var added = false;
        try
        {
            spec.PeerNamespace?.DangerousAddRef(ref added);
            var m = new NetlinkMessageBuilder(RTM_NEWLINK, Create).IfInfo(0, IFF_UP, IFF_UP).AttrString(IFLA_IFNAME, spec.Name);
            if (spec.Mtu > 0)
            {
                m.AttrU32(IFLA_MTU, (uint)spec.Mtu);
            }

            if (spec.MasterIndex > 0)
            {
                m.AttrU32(IFLA_MASTER, (uint)spec.MasterIndex);
            }

            var li = m.BeginNested(IFLA_LINKINFO);
            m.AttrString(IFLA_INFO_KIND, "veth");
            var data = m.BeginNested(IFLA_INFO_DATA);
            var peer = m.BeginNested(VETH_INFO_PEER);
            m.IfInfo(spec.PeerIndex);
            m.AttrString(IFLA_IFNAME, spec.PeerName);
            if (spec.Mtu > 0)
            {
                m.AttrU32(IFLA_MTU, (uint)spec.Mtu);
            }

            if (spec.PeerMac is not null)
            {
                m.Attr(IFLA_ADDRESS, spec.PeerMac);
            }

            if (spec.PeerNamespace is not null)
            {
                m.AttrU32(IFLA_NET_NS_FD, (uint)spec.PeerNamespace.DangerousGetHandle());
            }

            m.EndNested(peer);
            m.EndNested(data);
            m.EndNested(li);
            _socket.Execute(m, $"create veth {spec.Name}");
        }
        finally
        {
            if (added)
            {
                spec.PeerNamespace!.DangerousRelease();
            }
        }
    }

    public void CreateMacvlan(SubLinkSpec spec, MacvlanMode mode) =>
        CreateSubLink(spec, "macvlan", m => m.AttrU32(IFLA_MACVLAN_MODE, (uint)mode));

    public void CreateIpvlan(SubLinkSpec spec, IpvlanMode mode, ushort flags = 0) =>
        CreateSubLink(spec, "ipvlan", m => m.AttrU16(IFLA_IPVLAN_MODE, (ushort)mode).AttrU16(IFLA_IPVLAN_FLAGS, flags));

    /// <summary>Deletes a link by name; returns false when it does not exist.</summary>
    public bool DeleteLink(string name)
    {
        try
        {
            _socket.Execute(new NetlinkMessageBuilder(RTM_DELLINK, Change).IfInfo(0).AttrString(IFLA_IFNAME, name), $"delete link {name}");
            return true;
        }
        catch (NetlinkException e) when (e.Errno is NetlinkException.ENODEV or NetlinkException.ENOENT)
        {
            return false;
        }
    }

    public void SetUp(int index) =>
        _socket.Execute(new NetlinkMessageBuilder(RTM_NEWLINK, Change).IfInfo(index, IFF_UP, IFF_UP), $"set link {index} up");

    public void SetMaster(int index, int masterIndex) =>
        _socket.Execute(new NetlinkMessageBuilder(RTM_NEWLINK, Change).IfInfo(index).AttrU32(IFLA_MASTER, (uint)masterIndex), $"set master of link {index}");

    public void SetMtu(int index, int mtu) =>
        _socket.Execute(new NetlinkMessageBuilder(RTM_NEWLINK, Change).IfInfo(index).AttrU32(IFLA_MTU, (uint)mtu), $"set mtu of link {index}");

    /// <summary>The link with this name, or null.</summary>
    public LinkInfo? GetLink(string name)
    {
        LinkInfo? found = null;
        try
        {
            var m = new NetlinkMessageBuilder(RTM_GETLINK, Change).IfInfo(0).AttrString(IFLA_IFNAME, name);
            _socket.Dump(m, $"get link {name}", (type, payload) =>
            {
                if (type == RTM_NEWLINK)
                {
                    found = ParseLink(payload);
                }
            });
        }
        catch (NetlinkException e) when (e.Errno is NetlinkException.ENODEV or NetlinkException.ENOENT)
        {
            return null;
        }

        return found;
    }

    public IReadOnlyList<LinkInfo> ListLinks()
    {
        var list = new List<LinkInfo>();
        _socket.Dump(new NetlinkMessageBuilder(RTM_GETLINK, DumpFlags).IfInfo(0), "list links", (type, payload) =>
        {
            if (type == RTM_NEWLINK)
            {
                list.Add(ParseLink(payload));
            }
        });
        return list;
    }

    /// <summary>Adds an IPv4 address with its prefix (and the subnet's broadcast address) to a link.</summary>
    public void AddAddress(int index, IPAddress address, int prefixLength)
    {
        var a = address.GetAddressBytes();
        var host = BinaryPrimitives.ReadUInt32BigEndian(a);
        var mask = prefixLength == 0 ? 0u : uint.MaxValue << (32 - prefixLength);
        Span<byte> brd = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(brd, host | ~mask);
        var m = new NetlinkMessageBuilder(RTM_NEWADDR, Create).IfAddr(AF_INET, (byte)prefixLength, RT_SCOPE_UNIVERSE, index)
            .Attr(IFA_LOCAL, a).Attr(IFA_ADDRESS, a);
        if (prefixLength < 31)
        {
            m.Attr(IFA_BROADCAST, brd);
        }

        _socket.Execute(m, $"add address {address}/{prefixLength}");
    }

    public IReadOnlyList<AddressInfo> ListAddresses()
    {
        var list = new List<AddressInfo>();
        _socket.Dump(new NetlinkMessageBuilder(RTM_GETADDR, DumpFlags).IfAddr(AF_INET, 0, 0, 0), "list addresses", (type, payload) =>
        {
            if (type != RTM_NEWADDR || payload.Length < 8 || payload[0] != AF_INET)
            {
                return;
            }

            var attrs = new NetlinkAttributes(payload[8..]);
            if (attrs.TryGet(IFA_LOCAL, out var v) || attrs.TryGet(IFA_ADDRESS, out v))
            {
                list.Add(new AddressInfo(BinaryPrimitives.ReadInt32LittleEndian(payload[4..]), new IPAddress(v), payload[1]));
            }
        });
        return list;
    }

    /// <summary>Adds a route in the main table: via <paramref name="gateway"/> (universe scope) or on-link (link scope).</summary>
    public void AddRoute(IPAddress? destination, int prefixLength, IPAddress? gateway, int outIndex, bool replace = false)
    {
        var flags = replace
            ? (ushort)(NetlinkSocket.NLM_F_REQUEST | NetlinkSocket.NLM_F_ACK | NetlinkSocket.NLM_F_CREATE | NetlinkSocket.NLM_F_REPLACE)
            : Create;
        var m = new NetlinkMessageBuilder(RTM_NEWROUTE, flags)
            .RtMsg(AF_INET, (byte)(destination is null ? 0 : prefixLength), RT_TABLE_MAIN, RTPROT_BOOT, gateway is null ? RT_SCOPE_LINK : RT_SCOPE_UNIVERSE, RTN_UNICAST);
        if (destination is not null)
        {
            m.Attr(RTA_DST, destination.GetAddressBytes());
        }

        if (gateway is not null)
        {
            m.Attr(RTA_GATEWAY, gateway.GetAddressBytes());
        }

        if (outIndex > 0)
        {
            m.AttrU32(RTA_OIF, (uint)outIndex);
        }

        _socket.Execute(m, $"add route {(destination is null ? "default" : $"{destination}/{prefixLength}")}{(gateway is null ? string.Empty : $" via {gateway}")}");
    }

    /// <summary>Deletes a route of the main table; returns false when there was none.</summary>
    public bool DeleteRoute(IPAddress? destination, int prefixLength)
    {
        var m = new NetlinkMessageBuilder(RTM_DELROUTE, Change)
            .RtMsg(AF_INET, (byte)(destination is null ? 0 : prefixLength), RT_TABLE_MAIN, 0, RT_SCOPE_UNIVERSE, 0);
        if (destination is not null)
        {
            m.Attr(RTA_DST, destination.GetAddressBytes());
        }

        try
        {
            _socket.Execute(m, "delete route");
            return true;
        }
        catch (NetlinkException e) when (e.Errno is 3 /* ESRCH */ or NetlinkException.ENOENT)
        {
            return false;
        }
    }

    public IReadOnlyList<RouteInfo> ListRoutes()
    {
        var list = new List<RouteInfo>();
        _socket.Dump(new NetlinkMessageBuilder(RTM_GETROUTE, DumpFlags).RtMsg(AF_INET, 0, 0, 0, 0, 0), "list routes", (type, payload) =>
        {
            if (type != RTM_NEWROUTE || payload.Length < 12 || payload[0] != AF_INET)
            {
                return;
            }

            var attrs = new NetlinkAttributes(payload[12..]);
            var table = attrs.GetU32(RTA_TABLE) ?? payload[4];
            if (table != RT_TABLE_MAIN || payload[7] != RTN_UNICAST)
            {
                return;
            }

            IPAddress? dst = attrs.TryGet(RTA_DST, out var d) ? new IPAddress(d) : null;
            IPAddress? gw = attrs.TryGet(RTA_GATEWAY, out var g) ? new IPAddress(g) : null;
            list.Add(new RouteInfo(dst, payload[1], gw, (int)(attrs.GetU32(RTA_OIF) ?? 0)));
        });
        return list;
    }

    /// <summary>Formats a MAC address as Linux prints it.</summary>
    public static string FormatMac(ReadOnlySpan<byte> mac) => Convert.ToHexStringLower(mac) is var h && h.Length == 12
        ? string.Join(':', Enumerable.Range(0, 6).Select(i => h.Substring(i * 2, 2)))
        : string.Empty;

    private void CreateSubLink(SubLinkSpec spec, string kind, Action<NetlinkMessageBuilder> data)
    {
        var added = false;
        try
        {
            spec.Namespace?.DangerousAddRef(ref added);
            var m = new NetlinkMessageBuilder(RTM_NEWLINK, Create).IfInfo(spec.Index).AttrString(IFLA_IFNAME, spec.Name).AttrU32(IFLA_LINK, (uint)spec.ParentIndex);
            if (spec.Mtu > 0)
            {
                m.AttrU32(IFLA_MTU, (uint)spec.Mtu);
            }

            if (spec.Mac is not null)
            {
                m.Attr(IFLA_ADDRESS, spec.Mac);
            }

            if (spec.Namespace is not null)
            {
                m.AttrU32(IFLA_NET_NS_FD, (uint)spec.Namespace.DangerousGetHandle());
            }

            var li = m.BeginNested(IFLA_LINKINFO);
            m.AttrString(IFLA_INFO_KIND, kind);
            var d = m.BeginNested(IFLA_INFO_DATA);
            data(m);
            m.EndNested(d);
            m.EndNested(li);
            _socket.Execute(m, $"create {kind} {spec.Name}");
        }
        finally
        {
            if (added)
            {
                spec.Namespace!.DangerousRelease();
            }
        }
    }

    private static LinkInfo ParseLink(ReadOnlySpan<byte> payload)
    {
        var index = BinaryPrimitives.ReadInt32LittleEndian(payload[4..]);
        var flags = BinaryPrimitives.ReadUInt32LittleEndian(payload[8..]);
        var attrs = new NetlinkAttributes(payload[16..]);
        var name = attrs.GetString(IFLA_IFNAME) ?? string.Empty;
        var master = (int)(attrs.GetU32(IFLA_MASTER) ?? 0);
        var mtu = (int)(attrs.GetU32(IFLA_MTU) ?? 0);
        var mac = attrs.TryGet(IFLA_ADDRESS, out var a) ? FormatMac(a) : string.Empty;
        var kind = string.Empty;
        if (attrs.TryGet(IFLA_LINKINFO, out var li))
        {
            kind = new NetlinkAttributes(li).GetString(IFLA_INFO_KIND) ?? string.Empty;
        }

        return new LinkInfo(index, name, kind, master, mac, mtu, (flags & IFF_UP) != 0);
    }

    internal static bool IsIPv4(IPAddress a) => a.AddressFamily == AddressFamily.InterNetwork;
}
