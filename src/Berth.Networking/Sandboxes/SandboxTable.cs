using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Berth.Core.Errors;
using Berth.Core.Ids;
using Berth.Networking.Dns;
using Berth.Networking.Files;
using Berth.Networking.Ipam;
using Berth.Networking.Model;
using Berth.Networking.Networks;
using Berth.Networking.Ports;
using Berth.Networking.Store;
using Berth.Platform.Net;
using Microsoft.Extensions.Logging;

namespace Berth.Networking.Sandboxes;

/// <summary>
/// The owner of container sandboxes: a network namespace per container with its endpoints
/// (veth, macvlan, ipvlan), their addresses and routes, published ports and DNS, and the
/// container's hosts and resolv.conf. Each container's sandbox is changed under a lock of its
/// own (striped: containers that share a stripe only wait for each other), so attaching,
/// connecting or detaching one container never waits for another, nor for network creation.
/// Readers (inspect, other containers' links, reconciliation) see the current records without
/// locks. A sandbox record is written to disk and published before any kernel object it
/// describes is made, so a crash at any point leaves a record that start-up undoes, and a leak
/// scan that lists kernel objects first and records second never takes a new sandbox's objects
/// for leftovers.
/// </summary>
public sealed class SandboxTable
{
    private const int Stripes = 64;
    private readonly NetworkServiceOptions _options;
    private readonly INetworkKernel _kernel;
    private readonly NetworkStore _store;
    private readonly NetworkTable _networks;
    private readonly IpamPools _ipam;
    private readonly PortMapper _ports;
    private readonly ContainerDns _dns;
    private readonly Action<string, NetworkRecord, string> _publish;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, SandboxRecord> _sandboxes = new(StringComparer.Ordinal);
    private readonly OwnerLock[] _locks = [.. Enumerable.Range(0, Stripes).Select(_ => new OwnerLock())];

    /// <param name="publish">Sends a network event ("connect", "disconnect") for a network and a container id.</param>
    public SandboxTable(NetworkServiceOptions options, INetworkKernel kernel, NetworkStore store, NetworkTable networks, IpamPools ipam, PortMapper ports, ContainerDns dns, Action<string, NetworkRecord, string> publish, ILogger logger)
    {
        _options = options;
        _kernel = kernel;
        _store = store;
        _networks = networks;
        _ipam = ipam;
        _ports = ports;
        _dns = dns;
        _publish = publish;
        _logger = logger;
        Files = new SandboxFiles(options, networks, () => _sandboxes.Values);
    }

    public SandboxFiles Files { get; }

    /// <summary>Where container namespaces are bound.</summary>
    public string NetnsDirectory => Path.Combine(_options.ExecRoot, "netns");

    /// <summary>The sandboxes as of now.</summary>
    public ICollection<SandboxRecord> All => _sandboxes.Values;

    /// <summary>The lock of a container's sandbox (exposed for tests that hold it).</summary>
    internal OwnerLock LockOf(string containerId) => _locks[(int)((uint)StringComparer.Ordinal.GetHashCode(containerId) % Stripes)];

    /// <summary>The containers on a network, as network inspect shows them.</summary>
    public List<NetworkEndpointView> EndpointsOn(string networkId)
    {
        var eps = new List<NetworkEndpointView>();
        foreach (var s in _sandboxes.Values)
        {
            foreach (var e in s.Endpoints.Where(e => e.NetworkId == networkId))
            {
                eps.Add(new NetworkEndpointView(s.ContainerId, s.ContainerName, e.EndpointId, e.MacAddress, e.IPv4Address, e.PrefixLength));
            }
        }

        return eps;
    }

    /// <summary>
    /// Start-up, before anything else runs: loads the stored sandboxes and marks their addresses
    /// and ports as lent.
    /// </summary>
    internal void Load()
    {
        foreach (var s in _store.LoadSandboxes())
        {
            _sandboxes[s.ContainerId] = s;
            foreach (var e in s.Endpoints)
            {
                _ipam.Restore(e.NetworkId, e.IPv4Address);
            }

            _ports.Restore(s.ContainerId, s.Ports);
        }
    }

    /// <summary>
    /// Start-up, after the bridges exist: sandboxes whose namespace is gone are torn down; the
    /// others (containers that kept running) get their DNS names and sockets back.
    /// </summary>
    internal async Task ReopenAsync()
    {
        var bound = _kernel.ListBound(NetnsDirectory);
        foreach (var s in _sandboxes.Values.ToList())
        {
            if (!bound.Contains(s.NetnsPath))
            {
                _logger.LogInformation("network: sandbox of container {Container} lost its namespace; releasing it", s.ContainerId);
                await TearDownAsync(s, publishEvents: false).ConfigureAwait(false);
                continue;
            }

            _dns.Register(s);
            if (s.EmbeddedDns)
            {
                try
                {
                    var sockets = await _kernel.RunInAsync(s.NetnsPath, (_, inside) => EmbeddedDnsServer.CreateSockets(inside)).ConfigureAwait(false);
                    _dns.Start(s, sockets);
                }
                catch (Exception e)
                {
                    _logger.LogWarning("network: cannot reopen DNS for container {Container}: {Error}", s.ContainerId, e.Message);
                }
            }
        }
    }

    /// <summary>
    /// Start-up, once the live containers are known: releases every other sandbox, then removes
    /// what no sandbox accounts for (veth ends on Berth's bridges, namespace files). Kernel
    /// objects are listed before the records are read: an object listed belongs to a record that
    /// was published before it was made, so nothing a concurrent attach makes is taken for a leak.
    /// </summary>
    internal async Task ReconcileAsync(IReadOnlySet<string> live)
    {
        foreach (var s in _sandboxes.Values.Where(s => !live.Contains(s.ContainerId)).ToList())
        {
            using var held = await LockOf(s.ContainerId).EnterAsync(CancellationToken.None).ConfigureAwait(false);
            if (_sandboxes.TryGetValue(s.ContainerId, out var current))
            {
                await TearDownAsync(current, publishEvents: false).ConfigureAwait(false);
            }
        }

        var bridges = _networks.All.Where(n => n.IsBridge).Select(n => n.BridgeName).ToHashSet(StringComparer.Ordinal);
        var links = await _kernel.RunAsync(host => host.ListLinks()).ConfigureAwait(false);
        var knownVeths = _sandboxes.Values.SelectMany(s => s.Endpoints).Select(e => e.HostInterface).Where(h => h.Length > 0).ToHashSet(StringComparer.Ordinal);
        var bridgeIndexes = links.Where(l => bridges.Contains(l.Name)).Select(l => l.Index).ToHashSet();
        var leakedVeths = links.Where(l => l.Kind == "veth" && bridgeIndexes.Contains(l.MasterIndex) && !knownVeths.Contains(l.Name)).Select(l => l.Name).ToList();
        await _kernel.RunAsync(host =>
        {
            foreach (var l in leakedVeths)
            {
                _logger.LogInformation("network: removing leaked interface {Link}", l);
                host.DeleteLink(l);
            }

            return 0;
        }).ConfigureAwait(false);

        if (Directory.Exists(NetnsDirectory))
        {
            var files = Directory.EnumerateFiles(NetnsDirectory).Concat(_kernel.ListBound(NetnsDirectory)).Distinct().ToList();
            var knownNetns = _sandboxes.Values.Select(s => s.NetnsPath).ToHashSet(StringComparer.Ordinal);
            foreach (var f in files.Where(f => !knownNetns.Contains(f)))
            {
                _logger.LogInformation("network: removing leaked namespace {Path}", f);
                await _kernel.RemoveBoundAsync(f).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// Checks a container's network settings at create time (Docker refuses them there): the
    /// networks exist, aliases and --ip are only used where Docker allows them, ports parse.
    /// </summary>
    public void Validate(ContainerNetworkRequest request)
    {
        var mode = NormalizeMode(request.NetworkMode);
        if (mode is "none" or "host" || mode.StartsWith("container:", StringComparison.Ordinal))
        {
            if (mode != "none" && request.Endpoints.Values.Any(e => e.Aliases.Count > 0))
            {
                throw BerthException.Invalid("network-scoped alias is supported only for containers in user defined networks");
            }

            return;
        }

        var primary = _networks.Find(mode);
        foreach (var (net, ep) in EndpointList(request, primary))
        {
            EndpointRules.Validate(net, ep);
        }

        _ = PublishSpec.FromBindings(request.PortBindings, request.PublishAllPorts, request.ExposedPorts);
    }

    /// <summary>
    /// Prepares a container's network before it starts. For bridge/macvlan/ipvlan networks: a new
    /// namespace bound at &lt;exec-root&gt;/netns/&lt;id12&gt; with lo, one interface per network
    /// (eth0, eth1...), the default route, published ports and the embedded DNS server on user
    /// networks. For none/host/container: nothing to make, only the files' contents.
    /// Writes <see cref="ContainerNetworkRequest.HostsPath"/>/<see cref="ContainerNetworkRequest.ResolvConfPath"/> when given.
    /// </summary>
    public async Task<NetworkAttachment> AttachAsync(ContainerNetworkRequest request, CancellationToken cancellationToken)
    {
        var mode = NormalizeMode(request.NetworkMode);
        if (mode.StartsWith("container:", StringComparison.Ordinal))
        {
            return SharedAttachment(request, mode["container:".Length..]);
        }

        var primary = mode is "none" or "host" ? null : _networks.Find(mode);
        if (mode == "none" || primary?.Driver == "null")
        {
            return SandboxFiles.Write(request.HostsPath, request.ResolvConfPath, new NetworkAttachment
            {
                RuntimeNetworkMode = "none",
                Hosts = HostsFile.Build(request.Hostname, request.Domainname, Files.ExtraHosts(request.ExtraHosts), []),
                ResolvConf = Files.PlainResolvConf(request.Dns, request.DnsSearch, request.DnsOptions),
            });
        }

        if (mode == "host" || primary?.Driver == "host")
        {
            return SandboxFiles.Write(request.HostsPath, request.ResolvConfPath, Files.HostMode(request));
        }

        using var held = await LockOf(request.ContainerId).EnterAsync(cancellationToken).ConfigureAwait(false);
        if (_sandboxes.TryGetValue(request.ContainerId, out var stale))
        {
            // A start after a crash between attach and start: begin from a clean slate.
            await TearDownAsync(stale, publishEvents: false).ConfigureAwait(false);
        }

        var endpoints = EndpointList(request, primary!);
        foreach (var (net, ep) in endpoints)
        {
            EndpointRules.Validate(net, ep);
        }

        var specs = PublishSpec.FromBindings(request.PortBindings, request.PublishAllPorts, request.ExposedPorts);
        if (specs.Count > 0 && !primary!.IsBridge)
        {
            throw BerthException.NotImplemented($"publishing ports is only supported on bridge networks, not on {primary.Driver} network {primary.Name}");
        }

        var sandbox = new SandboxRecord
        {
            ContainerId = request.ContainerId,
            ContainerName = request.ContainerName.TrimStart('/'),
            Hostname = request.Hostname,
            Domainname = request.Domainname,
            NetnsPath = Path.Combine(NetnsDirectory, request.ContainerId[..Math.Min(12, request.ContainerId.Length)]),
            HostsPath = request.HostsPath,
            ResolvConfPath = request.ResolvConfPath,
            ExtraHosts = [.. request.ExtraHosts],
            Dns = [.. request.Dns],
            DnsSearch = [.. request.DnsSearch],
            DnsOptions = [.. request.DnsOptions],
            EmbeddedDns = endpoints.Any(e => e.Network.HasDns),
        };

        // Allocate addresses and ports first: nothing in the kernel yet, so a refusal costs nothing.
        try
        {
            var index = 0;
            foreach (var (net, ep) in endpoints)
            {
                sandbox.Endpoints.Add(AllocateEndpoint(sandbox, net, ep, index++));
            }

            var primaryEp = sandbox.Endpoints[0];
            sandbox.Ports.AddRange(_ports.Reserve(specs, primary!.HostBindingIpv4, primaryEp.IPv4Address, primaryEp.NetworkId));
        }
        catch
        {
            foreach (var e in sandbox.Endpoints)
            {
                _ipam.Release(e.NetworkId, e.IPv4Address);
            }

            throw;
        }

        _store.Save(sandbox);
        _sandboxes[sandbox.ContainerId] = sandbox;
        try
        {
            await CreateSandboxKernelAsync(sandbox).ConfigureAwait(false);
            await _ports.PublishAsync(sandbox.ContainerId, sandbox.Ports).ConfigureAwait(false);
        }
        catch
        {
            await TearDownAsync(sandbox, publishEvents: false, portsPublished: false).ConfigureAwait(false);
            throw;
        }

        _dns.Register(sandbox);
        foreach (var e in sandbox.Endpoints)
        {
            _publish("connect", _networks.TryGet(e.NetworkId)!, sandbox.ContainerId);
        }

        return SandboxFiles.Write(sandbox.HostsPath, sandbox.ResolvConfPath, AttachmentOf(sandbox));
    }

    /// <summary>
    /// Releases a container's network after it stopped: DNS records and sockets, published
    /// ports, interfaces, addresses and the namespace. Idempotent; unknown containers are a no-op.
    /// </summary>
    public async Task DetachAsync(string containerId, CancellationToken cancellationToken)
    {
        using var held = await LockOf(containerId).EnterAsync(cancellationToken).ConfigureAwait(false);
        if (_sandboxes.TryGetValue(containerId, out var s))
        {
            await TearDownAsync(s, publishEvents: true).ConfigureAwait(false);
        }
    }

    /// <summary>The current attachment of a running container (null when it has no sandbox).</summary>
    public NetworkAttachment? GetAttachment(string containerId) =>
        _sandboxes.TryGetValue(containerId, out var s) ? AttachmentOf(s) : null;

    /// <summary>Finds a container that has a sandbox by id, name or unique id prefix.</summary>
    public string? FindContainer(string idOrName)
    {
        var name = idOrName.TrimStart('/');
        if (_sandboxes.ContainsKey(idOrName))
        {
            return idOrName;
        }

        var byName = _sandboxes.Values.FirstOrDefault(s => s.ContainerName == name);
        if (byName is not null)
        {
            return byName.ContainerId;
        }

        var byPrefix = _sandboxes.Keys.Where(k => k.StartsWith(idOrName, StringComparison.Ordinal)).ToList();
        return byPrefix.Count == 1 ? byPrefix[0] : null;
    }

    /// <summary>
    /// docker network connect for a running container: a new interface (eth1...) on the network,
    /// its DNS names, the embedded DNS server if this is the container's first user network, and
    /// an updated hosts file. Returns the container's new attachment.
    /// </summary>
    public async Task<NetworkAttachment> ConnectAsync(string containerId, string network, EndpointRequest endpoint, CancellationToken cancellationToken)
    {
        var net = _networks.Find(network);
        using var held = await LockOf(containerId).EnterAsync(cancellationToken).ConfigureAwait(false);
        if (!_sandboxes.TryGetValue(containerId, out var s))
        {
            throw BerthException.Conflict($"container {containerId} is not running or has no network namespace of its own");
        }

        if (net.Driver == "host")
        {
            throw new BerthException(ErrorKind.Forbidden, "container cannot be disconnected from host network or connected to host network");
        }

        if (net.Driver == "null")
        {
            throw new BerthException(ErrorKind.Forbidden, "container cannot be connected to multiple networks with one of the networks in private (none) mode");
        }

        if (s.Endpoints.Any(e => e.NetworkId == net.Id))
        {
            throw new BerthException(ErrorKind.Forbidden, $"endpoint with name {s.ContainerName} already exists in network {net.Name}");
        }

        EndpointRules.Validate(net, endpoint);
        var index = NextInterfaceIndex(s);
        var ep = AllocateEndpoint(s, net, endpoint, index);
        var startDns = net.HasDns && !s.EmbeddedDns;
        var updated = s with { Endpoints = [.. s.Endpoints, ep], EmbeddedDns = s.EmbeddedDns || startDns };
        _store.Save(updated);
        _sandboxes[s.ContainerId] = updated;
        try
        {
            var needsRoute = !s.Endpoints.Any(HasGateway);
            var sockets = await _kernel.RunInAsync(updated.NetnsPath, (host, inside) =>
            {
                CreateEndpointKernel(ep, host, inside, needsRoute && HasGateway(ep), index: 0);
                return startDns ? EmbeddedDnsServer.CreateSockets(inside) : ((Socket Udp, Socket Tcp)?)null;
            }).ConfigureAwait(false);
            if (sockets is { } sk)
            {
                _dns.Start(updated, sk);
            }
        }
        catch
        {
            _ipam.Release(ep.NetworkId, ep.IPv4Address);
            var restored = updated with { Endpoints = [.. updated.Endpoints.Where(e => e.EndpointId != ep.EndpointId)] };
            _store.Save(restored);
            _sandboxes[restored.ContainerId] = restored;
            if (ep.HostInterface.Length > 0)
            {
                _ = _kernel.RunAsync(host => host.DeleteLink(ep.HostInterface));
            }

            throw;
        }

        _dns.Register(updated);
        _dns.Update(updated);
        _publish("connect", net, s.ContainerId);
        return SandboxFiles.Write(updated.HostsPath, updated.ResolvConfPath, AttachmentOf(updated));
    }

    /// <summary>docker network disconnect for a running container: removes the interface, its DNS names, its published ports.</summary>
    public async Task<NetworkAttachment> DisconnectAsync(string containerId, string network, bool force, CancellationToken cancellationToken)
    {
        var net = _networks.Find(network);
        using var held = await LockOf(containerId).EnterAsync(cancellationToken).ConfigureAwait(false);
        if (!_sandboxes.TryGetValue(containerId, out var s))
        {
            if (net.Driver == "host")
            {
                throw new BerthException(ErrorKind.Forbidden, "container cannot be disconnected from host network or connected to host network");
            }

            throw new BerthException(ErrorKind.Forbidden, $"container {containerId} is not connected to network {net.Name}");
        }

        var ep = s.Endpoints.FirstOrDefault(e => e.NetworkId == net.Id)
            ?? throw new BerthException(ErrorKind.Forbidden, $"container {containerId} is not connected to network {net.Name}");
        var remaining = s.Endpoints.Where(e => e.EndpointId != ep.EndpointId).ToList();
        var droppedPorts = s.Ports.Where(p => p.NetworkId == net.Id).ToList();
        var updated = s with { Endpoints = remaining, Ports = [.. s.Ports.Where(p => p.NetworkId != net.Id)] };

        _dns.Unregister(net.Id, ep.EndpointId);
        await _ports.UnpublishAsync(s.ContainerId, droppedPorts).ConfigureAwait(false);

        var newGateway = HasGateway(ep) ? remaining.FirstOrDefault(HasGateway) : null;
        await _kernel.RunInAsync(s.NetnsPath, (host, inside) =>
        {
            if (ep.HostInterface.Length > 0)
            {
                host.DeleteLink(ep.HostInterface);
            }
            else
            {
                inside.DeleteLink(ep.InterfaceName);
            }

            if (newGateway is not null)
            {
                var link = inside.GetLink(newGateway.InterfaceName);
                if (link is not null)
                {
                    inside.AddRoute(null, 0, IPAddress.Parse(newGateway.Gateway), link.Index, replace: true);
                }
            }

            return 0;
        }).ConfigureAwait(false);

        _ipam.Release(net.Id, ep.IPv4Address);
        _store.Save(updated);
        _sandboxes[s.ContainerId] = updated;
        _dns.Update(updated);
        _publish("disconnect", net, s.ContainerId);
        return SandboxFiles.Write(updated.HostsPath, updated.ResolvConfPath, AttachmentOf(updated));
    }

    private static string NormalizeMode(string mode) => mode is "" or "default" ? "bridge" : mode;

    /// <summary>The primary network first, then the other EndpointsConfig networks.</summary>
    private List<(NetworkRecord Network, EndpointRequest Endpoint)> EndpointList(ContainerNetworkRequest request, NetworkRecord primary)
    {
        var list = new List<(NetworkRecord, EndpointRequest)>();
        EndpointRequest? primaryEp = null;
        var others = new List<(NetworkRecord, EndpointRequest)>();
        foreach (var (key, ep) in request.Endpoints)
        {
            var n = _networks.Find(key);
            if (n.Id == primary.Id)
            {
                primaryEp = ep;
            }
            else if (n.Driver is "host" or "null")
            {
                throw new BerthException(ErrorKind.Forbidden, $"container cannot be connected to network {n.Name} together with other networks");
            }
            else if (!others.Any(o => o.Item1.Id == n.Id))
            {
                others.Add((n, ep));
            }
        }

        list.Add((primary, primaryEp ?? new EndpointRequest()));
        list.AddRange(others);
        return list;
    }

    private EndpointRecord AllocateEndpoint(SandboxRecord sandbox, NetworkRecord net, EndpointRequest ep, int index)
    {
        var ip = _ipam.Allocate(net, ep.IPv4Address);
        var mac = string.IsNullOrEmpty(ep.MacAddress) ? EndpointRules.GenerateMac(ip) : Netlink.FormatMac(EndpointRules.ParseMac(ep.MacAddress)!);
        var shortId = IdGenerator.Short(sandbox.ContainerId);
        var aliases = ep.Aliases.Where(a => a.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        var dnsNames = new List<string>();
        if (net.HasDns)
        {
            dnsNames.Add(sandbox.ContainerName);
            dnsNames.AddRange(aliases);
            dnsNames.Add(shortId);
        }

        return new EndpointRecord
        {
            NetworkId = net.Id,
            EndpointId = IdGenerator.NewId(),
            InterfaceName = net.InterfacePrefix + index.ToString(CultureInfo.InvariantCulture),
            HostInterface = net.IsBridge ? "veth" + IdGenerator.NewId()[..7] : string.Empty,
            IPv4Address = Ipv4.Format(ip),
            PrefixLength = Ipv4Subnet.Parse(net.Subnet).PrefixLength,
            Gateway = net.Internal ? string.Empty : net.Gateway,
            MacAddress = mac,
            Aliases = aliases,
            DnsNames = dnsNames.Distinct(StringComparer.Ordinal).ToList(),
            Links = [.. ep.Links],
            RequestedIPv4 = string.IsNullOrEmpty(ep.IPv4Address) ? null : ep.IPv4Address,
            RequestedMac = string.IsNullOrEmpty(ep.MacAddress) ? null : ep.MacAddress,
            LinkLocalIPs = [.. ep.LinkLocalIPs.Where(a => a.Length > 0)],
        };
    }

    private static int NextInterfaceIndex(SandboxRecord s)
    {
        var used = s.Endpoints.Select(e => int.TryParse(new string(e.InterfaceName.SkipWhile(c => !char.IsDigit(c)).ToArray()), NumberStyles.None, CultureInfo.InvariantCulture, out var i) ? i : -1).ToHashSet();
        var n = 0;
        while (used.Contains(n))
        {
            n++;
        }

        return n;
    }

    private static bool HasGateway(EndpointRecord e) => e.Gateway.Length > 0;

    /// <summary>Makes the namespace and all endpoints in one work item of the kernel.</summary>
    private async Task CreateSandboxKernelAsync(SandboxRecord s)
    {
        var sockets = await _kernel.RunInNewAsync(s.NetnsPath, (host, inside) =>
        {
            inside.SetUp(1); // lo is always index 1 in a new namespace
            var routed = false;
            var index = 2;
            foreach (var ep in s.Endpoints)
            {
                var route = !routed && HasGateway(ep);
                CreateEndpointKernel(ep, host, inside, route, index++);
                routed |= route;
            }

            return s.EmbeddedDns ? EmbeddedDnsServer.CreateSockets(inside) : ((Socket Udp, Socket Tcp)?)null;
        }).ConfigureAwait(false);
        if (sockets is { } sk)
        {
            _dns.Start(s, sk);
        }
    }

    /// <summary>
    /// Creates one endpoint's interface directly inside the container's namespace (veth peer or
    /// macvlan/ipvlan link), addresses it, brings it up and, for the gateway endpoint, adds the
    /// default route. Runs in a kernel work item inside the container's namespace.
    /// </summary>
    /// <param name="index">Interface index to give the endpoint in the container (0 = unknown, looked up after creation).</param>
    private void CreateEndpointKernel(EndpointRecord ep, INetworkNamespace host, INetworkNamespace inside, bool defaultRoute, int index)
    {
        var net = _networks.TryGet(ep.NetworkId) ?? throw BerthException.NotFound($"network {ep.NetworkId} not found");
        var mac = EndpointRules.ParseMac(ep.MacAddress);
        switch (net.Driver)
        {
            case "bridge":
            {
                var bridge = host.GetLink(net.BridgeName) ?? throw new BerthException(ErrorKind.Internal, $"bridge {net.BridgeName} of network {net.Name} does not exist");
                host.CreateVeth(new VethSpec { Name = ep.HostInterface, PeerName = ep.InterfaceName, PeerMac = mac, MasterIndex = bridge.Index, Mtu = net.Mtu, PeerIndex = index }, inside);
                break;
            }

            case "macvlan":
            {
                var parent = host.GetLink(net.Parent) ?? throw BerthException.Invalid($"-o parent interface was not found on the host: {net.Parent}");
                var mode = net.Mode switch
                {
                    "private" => MacvlanMode.Private,
                    "vepa" => MacvlanMode.Vepa,
                    "passthru" => MacvlanMode.Passthru,
                    _ => MacvlanMode.Bridge,
                };
                host.CreateMacvlan(new SubLinkSpec { Name = ep.InterfaceName, ParentIndex = parent.Index, Mac = mode == MacvlanMode.Passthru ? null : mac, Mtu = net.Mtu, Index = index }, mode, inside);
                break;
            }

            case "ipvlan":
            {
                var parent = host.GetLink(net.Parent) ?? throw BerthException.Invalid($"-o parent interface was not found on the host: {net.Parent}");
                var mode = net.Mode switch
                {
                    "l3" => IpvlanMode.L3,
                    "l3s" => IpvlanMode.L3s,
                    _ => IpvlanMode.L2,
                };
                host.CreateIpvlan(new SubLinkSpec { Name = ep.InterfaceName, ParentIndex = parent.Index, Mtu = net.Mtu, Index = index }, mode, inside);
                break;
            }

            default:
                throw new BerthException(ErrorKind.Internal, $"network {net.Name} (driver {net.Driver}) has no endpoints");
        }

        if (index == 0)
        {
            index = inside.GetLink(ep.InterfaceName)?.Index ?? throw new BerthException(ErrorKind.Internal, $"interface {ep.InterfaceName} did not appear in the container's namespace");
        }

        inside.AddAddress(index, IPAddress.Parse(ep.IPv4Address), ep.PrefixLength);
        foreach (var linkLocal in ep.LinkLocalIPs)
        {
            inside.AddAddress(index, IPAddress.Parse(linkLocal), 16);
        }

        inside.SetUp(index);
        if (defaultRoute)
        {
            inside.AddRoute(null, 0, IPAddress.Parse(ep.Gateway), index, replace: true);
        }
    }

    /// <summary>Undoes everything of a sandbox, with its lock held; tolerant of objects that are already gone.</summary>
    private async Task TearDownAsync(SandboxRecord s, bool publishEvents, bool portsPublished = true)
    {
        _dns.Forget(s);
        if (portsPublished)
        {
            await _ports.UnpublishAsync(s.ContainerId, s.Ports).ConfigureAwait(false);
        }
        else
        {
            _ports.Release(s.Ports);
        }

        try
        {
            // Deleting a veth costs ~30 ms of RCU grace periods in the kernel; dropping the
            // namespace (its last user, the container, is gone) lets the kernel's namespace
            // clean-up delete both ends in the background, batched. Reconciliation removes any
            // host end that outlives a namespace kept alive by something else.
            await _kernel.RemoveBoundAsync(s.NetnsPath).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _logger.LogWarning("network: tearing down the sandbox of {Container}: {Error}", s.ContainerId, e.Message);
        }

        foreach (var e in s.Endpoints)
        {
            _ipam.Release(e.NetworkId, e.IPv4Address);
        }

        _sandboxes.TryRemove(s.ContainerId, out _);
        _store.DeleteSandbox(s.ContainerId);
        if (publishEvents)
        {
            foreach (var e in s.Endpoints)
            {
                if (_networks.TryGet(e.NetworkId) is { } n)
                {
                    _publish("disconnect", n, s.ContainerId);
                }
            }
        }
    }

    private NetworkAttachment AttachmentOf(SandboxRecord s)
    {
        var endpoints = new List<EndpointInfo>();
        foreach (var e in s.Endpoints)
        {
            if (_networks.TryGet(e.NetworkId) is not { } n)
            {
                continue; // its network record is gone (removed by hand): nothing to report
            }

            endpoints.Add(new EndpointInfo(n.Name, n.Id, e.EndpointId, e.IPv4Address, e.PrefixLength, e.Gateway, e.MacAddress, e.Aliases)
            {
                DnsNames = e.DnsNames,
                Links = e.Links,
                RequestedIPv4 = e.RequestedIPv4,
            });
        }

        return new NetworkAttachment
        {
            NetnsPath = s.NetnsPath,
            RuntimeNetworkMode = s.NetnsPath,
            Hosts = Files.Hosts(s),
            ResolvConf = Files.ResolvConf(s),
            Endpoints = endpoints,
            Ports = [.. s.Ports.Select(p => new PortBinding(p.ContainerPort, p.Protocol, p.HostIp, p.HostPort))],
        };
    }

    private NetworkAttachment SharedAttachment(ContainerNetworkRequest request, string netnsPath)
    {
        if (netnsPath.Length == 0)
        {
            throw BerthException.Invalid("container: network mode needs the other container's namespace");
        }

        var owner = _sandboxes.Values.FirstOrDefault(s => s.NetnsPath == netnsPath);
        var attachment = owner is not null
            ? AttachmentOf(owner) with { NetnsPath = null, Endpoints = [], Ports = [] }
            : new NetworkAttachment
            {
                Hosts = HostsFile.Build(request.Hostname, request.Domainname, Files.ExtraHosts(request.ExtraHosts), []),
                ResolvConf = Files.PlainResolvConf(request.Dns, request.DnsSearch, request.DnsOptions),
            };
        return SandboxFiles.Write(request.HostsPath, request.ResolvConfPath, attachment with { RuntimeNetworkMode = netnsPath });
    }
}
