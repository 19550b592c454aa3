using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Berth.Platform.Net;

namespace Berth.Tests.Unit.Networking;

/// <summary>
/// The kernel's networking in memory, for component tests: namespaces (the home one and bound
/// ones by path), links with rtnetlink's errors (EEXIST, ENODEV), IPv4 addresses with their
/// connected routes, routes, sysctls and the nftables batches applied (kept, not interpreted).
/// Sockets are real but bound on 127.0.0.1 with a port the system picks, wherever they were asked
/// to be bound (<see cref="FakeNamespace.Listening"/> tells where): the embedded DNS server then
/// serves a container from the test's own namespace. Work items run one at a time, on the
/// caller's thread. Passes NetworkKernelContract, as the real kernel does.
/// </summary>
public sealed class FakeNetworkKernel : INetworkKernel
{
    private readonly Dictionary<string, FakeNamespace> _bound = new(StringComparer.Ordinal);

    public FakeNetworkKernel()
    {
        Home = new FakeNamespace(this, "home");
        Home.AddLoopback(up: true);
    }

    public FakeNamespace Home { get; }

    /// <summary>Held while a work item runs (and by readers of a namespace's state from outside).</summary>
    internal Lock Gate { get; } = new();

    /// <summary>The namespace bound at <paramref name="path"/>, or null.</summary>
    public FakeNamespace? Bound(string path)
    {
        lock (Gate)
        {
            return _bound.GetValueOrDefault(path);
        }
    }

    internal FakeNamespace? Current { get; private set; }

    public Task<T> RunAsync<T>(Func<INetworkNamespace, T> work)
    {
        lock (Gate)
        {
            return Run(Home, () => work(Home));
        }
    }

    public Task<T> RunInAsync<T>(string namespacePath, Func<INetworkNamespace, INetworkNamespace, T> work)
    {
        lock (Gate)
        {
            if (!_bound.TryGetValue(namespacePath, out var ns))
            {
                return Task.FromException<T>(new IOException($"open network namespace {namespacePath}: No such file or directory", new FileNotFoundException(namespacePath)));
            }

            return Run(ns, () => work(Home, ns));
        }
    }

    public Task<T> RunInNewAsync<T>(string bindPath, Func<INetworkNamespace, INetworkNamespace, T> work)
    {
        lock (Gate)
        {
            var ns = new FakeNamespace(this, bindPath);
            ns.AddLoopback(up: false);
            if (_bound.Remove(bindPath, out var old))
            {
                old.Destroy();
            }

            _bound[bindPath] = ns;
            return Run(ns, () => work(Home, ns));
        }
    }

    public Task RemoveBoundAsync(string path)
    {
        lock (Gate)
        {
            if (_bound.Remove(path, out var ns))
            {
                ns.Destroy();
            }

            return Task.CompletedTask;
        }
    }

    public IReadOnlySet<string> ListBound(string directory)
    {
        var prefix = directory.TrimEnd('/') + "/";
        lock (Gate)
        {
            return _bound.Keys.Where(k => k.StartsWith(prefix, StringComparison.Ordinal)).ToHashSet(StringComparer.Ordinal);
        }
    }

    public void Dispose()
    {
    }

    private Task<T> Run<T>(FakeNamespace ns, Func<T> work)
    {
        Current = ns;
        try
        {
            return Task.FromResult(work());
        }
        catch (Exception e)
        {
            return Task.FromException<T>(e);
        }
        finally
        {
            Current = null;
        }
    }
}

/// <summary>One namespace of <see cref="FakeNetworkKernel"/>.</summary>
public sealed class FakeNamespace : INetworkNamespace
{
    private readonly FakeNetworkKernel _kernel;
    private readonly List<Link> _links = [];
    private readonly List<AddressInfo> _addresses = [];
    private readonly List<RouteInfo> _routes = [];
    private readonly Dictionary<string, string> _sysctls = new(StringComparer.Ordinal)
    {
        ["net/ipv4/ip_forward"] = "0",
        ["net/ipv4/ip_local_port_range"] = "32768\t60999",
    };

    private readonly List<string> _nftables = [];
    private readonly Dictionary<(SocketType, IPEndPoint), IPEndPoint> _listening = [];
    private int _nextIndex = 2;

    internal FakeNamespace(FakeNetworkKernel kernel, string name)
    {
        _kernel = kernel;
        Name = name;
    }

    public string Name { get; }

    /// <summary>The nftables batches applied here, in order.</summary>
    public IReadOnlyList<string> NftablesBatches
    {
        get
        {
            lock (_kernel.Gate)
            {
                return [.. _nftables];
            }
        }
    }

    /// <summary>Where a socket asked to be bound at (type, endpoint) really listens.</summary>
    public IReadOnlyDictionary<(SocketType Type, IPEndPoint Asked), IPEndPoint> Listening
    {
        get
        {
            lock (_kernel.Gate)
            {
                return new Dictionary<(SocketType, IPEndPoint), IPEndPoint>(_listening);
            }
        }
    }

    public IReadOnlyList<LinkInfo> ListLinks()
    {
        Alive();
        return [.. _links.Select(l => l.Info)];
    }

    public LinkInfo? GetLink(string name)
    {
        Alive();
        return Find(name)?.Info;
    }

    public void CreateBridge(string name, int mtu = 0, byte[]? mac = null)
    {
        Alive();
        Unique(name, $"create bridge {name}");
        Add(new Link { Name = name, Kind = "bridge", Mtu = mtu > 0 ? mtu : 1500, Mac = Mac(mac) });
    }

    public void CreateVeth(VethSpec spec, INetworkNamespace? peer)
    {
        Alive();
        var target = Target(peer);
        Unique(spec.Name, $"create veth {spec.Name}");
        target.Unique(spec.PeerName, $"create veth {spec.Name}");
        if (spec.MasterIndex > 0)
        {
            Get(spec.MasterIndex, $"create veth {spec.Name}");
        }

        var mtu = spec.Mtu > 0 ? spec.Mtu : 1500;
        var local = new Link { Name = spec.Name, Kind = "veth", Mtu = mtu, Mac = Mac(null), MasterIndex = spec.MasterIndex, Up = true };
        var remote = new Link { Name = spec.PeerName, Kind = "veth", Mtu = mtu, Mac = Mac(spec.PeerMac) };
        Add(local);
        target.Add(remote, spec.PeerIndex);
        local.Peer = (target, remote);
        remote.Peer = (this, local);
    }

    public void CreateMacvlan(SubLinkSpec spec, MacvlanMode mode, INetworkNamespace? target) => CreateSubLink(spec, "macvlan", target);

    public void CreateIpvlan(SubLinkSpec spec, IpvlanMode mode, INetworkNamespace? target) => CreateSubLink(spec, "ipvlan", target);

    public bool DeleteLink(string name)
    {
        Alive();
        var link = Find(name);
        if (link is null)
        {
            return false;
        }

        Remove(link);
        if (link.Peer is { } p)
        {
            p.Namespace.Remove(p.Link);
        }

        return true;
    }

    public void SetUp(int index)
    {
        Alive();
        var link = Get(index, $"set link {index} up");
        link.Up = true;
        foreach (var a in _addresses.Where(a => a.Index == index))
        {
            AddConnectedRoute(a);
        }
    }

    public void SetMtu(int index, int mtu)
    {
        Alive();
        Get(index, $"set mtu of link {index}").Mtu = mtu;
    }

    public void AddAddress(int index, IPAddress address, int prefixLength)
    {
        Alive();
        var link = Get(index, $"add address {address}/{prefixLength}");
        if (_addresses.Any(a => a.Index == index && a.Address.Equals(address) && a.PrefixLength == prefixLength))
        {
            throw new NetlinkException($"add address {address}/{prefixLength}", NetlinkException.EEXIST, null);
        }

        var info = new AddressInfo(index, address, prefixLength);
        _addresses.Add(info);
        if (link.Up)
        {
            AddConnectedRoute(info);
        }
    }

    public IReadOnlyList<AddressInfo> ListAddresses()
    {
        Alive();
        return [.. _addresses];
    }

    public void AddRoute(IPAddress? destination, int prefixLength, IPAddress? gateway, int outIndex, bool replace = false)
    {
        Alive();
        var what = $"add route {(destination is null ? "default" : $"{destination}/{prefixLength}")}";
        if (outIndex > 0)
        {
            Get(outIndex, what);
        }

        var length = destination is null ? 0 : prefixLength;
        var existing = _routes.FindIndex(r => Equals(r.Destination, destination) && r.PrefixLength == length);
        var route = new RouteInfo(destination, length, gateway, outIndex);
        if (existing >= 0)
        {
            if (!replace)
            {
                throw new NetlinkException(what, NetlinkException.EEXIST, null);
            }

            _routes[existing] = route;
            return;
        }

        _routes.Add(route);
    }

    public IReadOnlyList<RouteInfo> ListRoutes()
    {
        Alive();
        return [.. _routes];
    }

    public string RunNftables(string batch)
    {
        Here();
        _nftables.Add(batch);
        return string.Empty;
    }

    public string? ReadSysctl(string path)
    {
        Here();
        return _sysctls.GetValueOrDefault(path);
    }

    public void WriteSysctl(string path, string value)
    {
        Here();
        _sysctls[path] = value;
    }

    public Socket OpenSocket(SocketType type, ProtocolType protocol, IPEndPoint? bindTo = null)
    {
        Here();
        var s = new Socket(AddressFamily.InterNetwork, type, protocol);
        try
        {
            if (bindTo is not null)
            {
                s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                _listening[(type, bindTo)] = (IPEndPoint)s.LocalEndPoint!;
            }

            return s;
        }
        catch
        {
            s.Dispose();
            throw;
        }
    }

    internal void AddLoopback(bool up) => Add(new Link { Name = "lo", Kind = string.Empty, Mtu = 65536, Mac = "00:00:00:00:00:00", Up = up }, 1);

    /// <summary>The namespace's last user is gone: its links go, and a veth's peer elsewhere with them.</summary>
    internal void Destroy()
    {
        foreach (var l in _links.ToList())
        {
            if (l.Peer is { } p)
            {
                p.Namespace.Remove(p.Link);
            }
        }

        _links.Clear();
        _addresses.Clear();
        _routes.Clear();
    }

    private void CreateSubLink(SubLinkSpec spec, string kind, INetworkNamespace? target)
    {
        Alive();
        var into = Target(target);
        Get(spec.ParentIndex, $"create {kind} {spec.Name}");
        into.Unique(spec.Name, $"create {kind} {spec.Name}");
        into.Add(new Link { Name = spec.Name, Kind = kind, Mtu = spec.Mtu > 0 ? spec.Mtu : 1500, Mac = Mac(spec.Mac) }, spec.Index);
    }

    private FakeNamespace Target(INetworkNamespace? target) => target switch
    {
        null => this,
        FakeNamespace f => f,
        _ => throw new ArgumentException("a namespace of another kernel", nameof(target)),
    };

    private void AddConnectedRoute(AddressInfo a)
    {
        if (a.PrefixLength >= 32)
        {
            return;
        }

        var bytes = a.Address.GetAddressBytes();
        var value = (uint)(bytes[0] << 24 | bytes[1] << 16 | bytes[2] << 8 | bytes[3]);
        var mask = a.PrefixLength == 0 ? 0u : uint.MaxValue << (32 - a.PrefixLength);
        var network = value & mask;
        var destination = new IPAddress([(byte)(network >> 24), (byte)(network >> 16), (byte)(network >> 8), (byte)network]);
        if (!_routes.Any(r => Equals(r.Destination, destination) && r.PrefixLength == a.PrefixLength && r.OutIndex == a.Index))
        {
            _routes.Add(new RouteInfo(destination, a.PrefixLength, null, a.Index));
        }
    }

    private void Add(Link link, int index = 0)
    {
        if (index > 0 && _links.Any(l => l.Index == index))
        {
            throw new NetlinkException($"create link {link.Name}", NetlinkException.EBUSY, null);
        }

        link.Index = index > 0 ? index : _nextIndex;
        _nextIndex = Math.Max(_nextIndex, link.Index) + 1;
        _links.Add(link);
    }

    private void Remove(Link link)
    {
        _links.Remove(link);
        _addresses.RemoveAll(a => a.Index == link.Index);
        _routes.RemoveAll(r => r.OutIndex == link.Index);
        foreach (var l in _links.Where(l => l.MasterIndex == link.Index))
        {
            l.MasterIndex = 0;
        }
    }

    private Link? Find(string name) => _links.FirstOrDefault(l => l.Name == name);

    private Link Get(int index, string operation) =>
        _links.FirstOrDefault(l => l.Index == index) ?? throw new NetlinkException(operation, NetlinkException.ENODEV, null);

    private void Unique(string name, string operation)
    {
        if (Find(name) is not null)
        {
            throw new NetlinkException(operation, NetlinkException.EEXIST, null);
        }
    }

    private static string Mac(byte[]? mac)
    {
        if (mac is null)
        {
            mac = RandomNumberGenerator.GetBytes(6);
            mac[0] = (byte)((mac[0] & 0xfe) | 0x02); // locally administered unicast, as the kernel makes them
        }

        return Netlink.FormatMac(mac);
    }

    /// <summary>Netlink needs a work item to be running (the real handles are opened and closed with them).</summary>
    private void Alive()
    {
        if (_kernel.Current is null)
        {
            throw new InvalidOperationException("no work item of the kernel is running");
        }
    }

    /// <summary>Sysctls, nftables and sockets act on the namespace the work item is in.</summary>
    private void Here()
    {
        if (!ReferenceEquals(_kernel.Current, this))
        {
            throw new InvalidOperationException("this namespace is not the one the work item runs in (or the work item has ended)");
        }
    }

    private sealed class Link
    {
        public int Index { get; set; }

        public required string Name { get; init; }

        public required string Kind { get; init; }

        public int MasterIndex { get; set; }

        public required string Mac { get; init; }

        public int Mtu { get; set; }

        public bool Up { get; set; }

        public (FakeNamespace Namespace, Link Link)? Peer { get; set; }

        public LinkInfo Info => new(Index, Name, Kind, MasterIndex, Mac, Mtu, Up);
    }
}
