using System.Globalization;
using System.Net;
using Berth.Core.Errors;
using Berth.Core.Ids;
using Berth.Networking.Dns;
using Berth.Networking.Files;
using Berth.Networking.Ipam;
using Berth.Networking.Model;
using Berth.Networking.Nat;
using Berth.Networking.Ports;
using Berth.Platform.Net;
using Microsoft.Extensions.Logging;

namespace Berth.Networking;

/// <summary>Container sandboxes: attach before start, detach after stop, connect/disconnect while running.</summary>
public sealed partial class NetworkService
{
    /// <summary>
    /// Checks a container's network settings at create time (Docker refuses them there): the
    /// networks exist, aliases and --ip are only used where Docker allows them, ports parse.
    /// </summary>
    public async Task ValidateAsync(ContainerNetworkRequest request, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
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

            var primary = Find(mode);
            foreach (var (net, ep) in EndpointList(request, primary))
            {
                ValidateEndpoint(net.Record, ep);
            }

            _ = PublishSpec.FromBindings(request.PortBindings, request.PublishAllPorts, request.ExposedPorts);
        }
        finally
        {
            _gate.Release();
        }
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
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            EnsureInitialized();
            var mode = NormalizeMode(request.NetworkMode);
            if (mode.StartsWith("container:", StringComparison.Ordinal))
            {
                return SharedAttachment(request, mode["container:".Length..]);
            }

            var primary = mode is "none" or "host" ? null : Find(mode);
            if (mode == "none" || primary?.Record.Driver == "null")
            {
                return WriteFiles(request.HostsPath, request.ResolvConfPath, new NetworkAttachment
                {
                    RuntimeNetworkMode = "none",
                    Hosts = HostsFile.Build(request.Hostname, request.Domainname, ExtraHosts(request.ExtraHosts), []),
                    ResolvConf = PlainResolvConf(request.Dns, request.DnsSearch, request.DnsOptions),
                });
            }

            if (mode == "host" || primary?.Record.Driver == "host")
            {
                return WriteFiles(request.HostsPath, request.ResolvConfPath, HostModeAttachment(request));
            }

            if (_sandboxes.ContainsKey(request.ContainerId))
            {
                // A start after a crash between attach and start: begin from a clean slate.
                await TearDownAsync(_sandboxes[request.ContainerId], publishEvents: false).ConfigureAwait(false);
            }

            var endpoints = EndpointList(request, primary!);
            foreach (var (net, ep) in endpoints)
            {
                ValidateEndpoint(net.Record, ep);
            }

            var specs = PublishSpec.FromBindings(request.PortBindings, request.PublishAllPorts, request.ExposedPorts);
            if (specs.Count > 0 && !primary!.Record.IsBridge)
            {
                throw BerthException.NotImplemented($"publishing ports is only supported on bridge networks, not on {primary.Record.Driver} network {primary.Record.Name}");
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
                EmbeddedDns = endpoints.Any(e => e.Network.Record.HasDns),
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
                foreach (var p in specs)
                {
                    var hostIp = p.HostIp == "0.0.0.0" ? primary!.Record.HostBindingIpv4 : p.HostIp;
                    var hostPort = _ports.Allocate(p.Protocol, hostIp, p.HostPortStart, p.HostPortEnd);
                    sandbox.Ports.Add(new PublishedPort(p.Protocol, hostIp, hostPort, primaryEp.IPv4Address, p.ContainerPort, primaryEp.NetworkId));
                }
            }
            catch
            {
                ReleaseAllocations(sandbox);
                throw;
            }

            _store.Save(sandbox);
            _sandboxes[sandbox.ContainerId] = sandbox;
            try
            {
                await CreateSandboxKernelAsync(sandbox).ConfigureAwait(false);
                if (sandbox.Ports.Count > 0 && _options.Iptables)
                {
                    var add = NftRuleset.AddPorts(_options.NftTable, sandbox.Ports);
                    await _ns.RunAsync(() => _nft!.Run(add)).ConfigureAwait(false);
                }
            }
            catch
            {
                await TearDownAsync(sandbox, publishEvents: false).ConfigureAwait(false);
                throw;
            }

            RegisterDnsNames(sandbox);
            foreach (var e in sandbox.Endpoints)
            {
                var net = _networks[e.NetworkId].Record;
                Publish("connect", net.Id, new() { ["container"] = sandbox.ContainerId, ["name"] = net.Name, ["type"] = net.Driver });
            }

            return WriteFiles(sandbox.HostsPath, sandbox.ResolvConfPath, AttachmentOf(sandbox));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Releases a container's network after it stopped: DNS records and sockets, published
    /// ports, interfaces, addresses and the namespace. Idempotent; unknown containers are a no-op.
    /// </summary>
    public async Task DetachAsync(string containerId, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_sandboxes.TryGetValue(containerId, out var s))
            {
                await TearDownAsync(s, publishEvents: true).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>The current attachment of a running container (null when it has no sandbox).</summary>
    public async Task<NetworkAttachment?> GetAttachmentAsync(string containerId, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _sandboxes.TryGetValue(containerId, out var s) ? AttachmentOf(s) : null;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Finds a container that has a sandbox by id, name or unique id prefix (for the connect routes when no container service answers).</summary>
    public async Task<string?> FindSandboxContainerAsync(string idOrName, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
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
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// docker network connect for a running container: a new interface (eth1...) on the network,
    /// its DNS names, the embedded DNS server if this is the container's first user network, and
    /// an updated hosts file. Returns the container's new attachment.
    /// </summary>
    public async Task<NetworkAttachment> ConnectAsync(string containerId, string network, EndpointRequest endpoint, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            EnsureInitialized();
            var net = Find(network);
            if (!_sandboxes.TryGetValue(containerId, out var s))
            {
                throw BerthException.Conflict($"container {containerId} is not running or has no network namespace of its own");
            }

            if (net.Record.Driver == "host")
            {
                throw new BerthException(ErrorKind.Forbidden, "container cannot be disconnected from host network or connected to host network");
            }

            if (net.Record.Driver == "null")
            {
                throw new BerthException(ErrorKind.Forbidden, "container cannot be connected to multiple networks with one of the networks in private (none) mode");
            }

            if (s.Endpoints.Any(e => e.NetworkId == net.Record.Id))
            {
                throw new BerthException(ErrorKind.Forbidden, $"endpoint with name {s.ContainerName} already exists in network {net.Record.Name}");
            }

            ValidateEndpoint(net.Record, endpoint);
            var index = NextInterfaceIndex(s);
            var ep = AllocateEndpoint(s, net, endpoint, index);
            var startDns = net.Record.HasDns && !s.EmbeddedDns;
            var updated = s with { Endpoints = [.. s.Endpoints, ep], EmbeddedDns = s.EmbeddedDns || startDns };
            _store.Save(updated);
            _sandboxes[s.ContainerId] = updated;
            try
            {
                var needsRoute = !s.Endpoints.Any(e => HasGateway(e));
                var sockets = await _ns.RunInAsync(updated.NetnsPath, () =>
                {
                    using var nsHandle = NetNamespace.OpenCurrent();
                    using var inside = Netlink.Open();
                    CreateEndpointKernel(updated, ep, nsHandle, inside, needsRoute && HasGateway(ep), index: 0);
                    return startDns ? EmbeddedDnsServer.CreateSockets() : ((System.Net.Sockets.Socket Udp, System.Net.Sockets.Socket Tcp)?)null;
                }).ConfigureAwait(false);
                if (sockets is { } sk)
                {
                    _dns.Start(BuildDnsSandbox(updated), sk.Udp, sk.Tcp);
                }
            }
            catch
            {
                Rollback(updated, ep);
                throw;
            }

            RegisterDnsNames(updated);
            _dns.Update(BuildDnsSandbox(updated));
            Publish("connect", net.Record.Id, new() { ["container"] = s.ContainerId, ["name"] = net.Record.Name, ["type"] = net.Record.Driver });
            return WriteFiles(updated.HostsPath, updated.ResolvConfPath, AttachmentOf(updated));
        }
        finally
        {
            _gate.Release();
        }

        void Rollback(SandboxRecord updated, EndpointRecord ep)
        {
            _networks[ep.NetworkId].Allocator?.Release(Ipv4.Parse(ep.IPv4Address));
            var restored = updated with { Endpoints = [.. updated.Endpoints.Where(e => e.EndpointId != ep.EndpointId)] };
            _store.Save(restored);
            _sandboxes[restored.ContainerId] = restored;
            if (ep.HostInterface.Length > 0)
            {
                _ = _ns.RunAsync(() => _nl!.DeleteLink(ep.HostInterface));
            }
        }
    }

    /// <summary>docker network disconnect for a running container: removes the interface, its DNS names, its published ports.</summary>
    public async Task<NetworkAttachment> DisconnectAsync(string containerId, string network, bool force, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            EnsureInitialized();
            var net = Find(network);
            if (!_sandboxes.TryGetValue(containerId, out var s))
            {
                if (net.Record.Driver == "host")
                {
                    throw new BerthException(ErrorKind.Forbidden, "container cannot be disconnected from host network or connected to host network");
                }

                throw new BerthException(ErrorKind.Forbidden, $"container {containerId} is not connected to network {net.Record.Name}");
            }

            var ep = s.Endpoints.FirstOrDefault(e => e.NetworkId == net.Record.Id)
                ?? throw new BerthException(ErrorKind.Forbidden, $"container {containerId} is not connected to network {net.Record.Name}");
            var remaining = s.Endpoints.Where(e => e.EndpointId != ep.EndpointId).ToList();
            var droppedPorts = s.Ports.Where(p => p.NetworkId == net.Record.Id).ToList();
            var updated = s with { Endpoints = remaining, Ports = [.. s.Ports.Where(p => p.NetworkId != net.Record.Id)] };

            _registry.Unregister(net.Record.Id, ep.EndpointId);
            if (droppedPorts.Count > 0)
            {
                await RemovePortsAsync(droppedPorts).ConfigureAwait(false);
            }

            var newGateway = HasGateway(ep) ? remaining.FirstOrDefault(HasGateway) : null;
            await _ns.RunInAsync(s.NetnsPath, () =>
            {
                using var inside = Netlink.Open();
                if (ep.HostInterface.Length > 0)
                {
                    _nl!.DeleteLink(ep.HostInterface);
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

            _networks[net.Record.Id].Allocator?.Release(Ipv4.Parse(ep.IPv4Address));
            foreach (var p in droppedPorts)
            {
                _ports.Release(p.Protocol, p.HostIp, p.HostPort);
            }

            _store.Save(updated);
            _sandboxes[s.ContainerId] = updated;
            _dns.Update(BuildDnsSandbox(updated));
            Publish("disconnect", net.Record.Id, new() { ["container"] = s.ContainerId, ["name"] = net.Record.Name, ["type"] = net.Record.Driver });
            return WriteFiles(updated.HostsPath, updated.ResolvConfPath, AttachmentOf(updated));
        }
        finally
        {
            _gate.Release();
        }
    }

    private static string NormalizeMode(string mode) => mode is "" or "default" ? "bridge" : mode;

    /// <summary>The primary network first, then the other EndpointsConfig networks.</summary>
    private List<(NetworkState Network, EndpointRequest Endpoint)> EndpointList(ContainerNetworkRequest request, NetworkState primary)
    {
        var list = new List<(NetworkState, EndpointRequest)>();
        EndpointRequest? primaryEp = null;
        var others = new List<(NetworkState, EndpointRequest)>();
        foreach (var (key, ep) in request.Endpoints)
        {
            var n = Find(key);
            if (n.Record.Id == primary.Record.Id)
            {
                primaryEp = ep;
            }
            else if (n.Record.Driver is "host" or "null")
            {
                throw new BerthException(ErrorKind.Forbidden, $"container cannot be connected to network {n.Record.Name} together with other networks");
            }
            else if (!others.Any(o => o.Item1.Record.Id == n.Record.Id))
            {
                others.Add((n, ep));
            }
        }

        list.Add((primary, primaryEp ?? new EndpointRequest()));
        list.AddRange(others);
        return list;
    }

    private static void ValidateEndpoint(NetworkRecord net, EndpointRequest ep)
    {
        if (net.Predefined && ep.Aliases.Count > 0)
        {
            throw BerthException.Invalid("network-scoped alias is supported only for containers in user defined networks");
        }

        if (!string.IsNullOrEmpty(ep.IPv6Address))
        {
            throw BerthException.NotImplemented("--ip6 is not supported yet (IPv6 networks are not supported)");
        }

        if (!string.IsNullOrEmpty(ep.IPv4Address))
        {
            if (net.Predefined)
            {
                throw BerthException.Invalid("user specified IP address is supported on user defined networks only");
            }

            if (!net.SubnetConfigured)
            {
                throw BerthException.Invalid("user specified IP address is supported only when connecting to networks with user configured subnets");
            }

            if (!Ipv4.TryParse(ep.IPv4Address, out _))
            {
                throw BerthException.Invalid($"invalid IPv4 address: {ep.IPv4Address}");
            }
        }

        if (!string.IsNullOrEmpty(ep.MacAddress) && ParseMac(ep.MacAddress) is null)
        {
            throw BerthException.Invalid($"invalid MAC address: {ep.MacAddress}");
        }

        if (ep.DriverOpts.Count > 0)
        {
            throw BerthException.NotImplemented($"endpoint driver options are not supported yet: {string.Join(", ", ep.DriverOpts.Keys)}");
        }
    }

    private EndpointRecord AllocateEndpoint(SandboxRecord sandbox, NetworkState net, EndpointRequest ep, int index)
    {
        var allocator = net.Allocator ?? throw BerthException.Invalid($"network {net.Record.Name} has no IPv4 subnet");
        uint ip;
        if (!string.IsNullOrEmpty(ep.IPv4Address))
        {
            ip = Ipv4.Parse(ep.IPv4Address);
            allocator.Reserve(ip);
        }
        else
        {
            ip = allocator.TryAllocate()
                ?? throw new BerthException(ErrorKind.Forbidden, $"no available IPv4 addresses on this network's address pools: {net.Record.Name} ({net.Record.Id})");
        }

        var mac = string.IsNullOrEmpty(ep.MacAddress) ? GenerateMac(ip) : Netlink.FormatMac(ParseMac(ep.MacAddress)!);
        var shortId = IdGenerator.Short(sandbox.ContainerId);
        var aliases = ep.Aliases.Where(a => a.Length > 0).Distinct(StringComparer.Ordinal).ToList();
        var dnsNames = new List<string>();
        if (net.Record.HasDns)
        {
            dnsNames.Add(sandbox.ContainerName);
            dnsNames.AddRange(aliases);
            dnsNames.Add(shortId);
        }

        return new EndpointRecord
        {
            NetworkId = net.Record.Id,
            EndpointId = IdGenerator.NewId(),
            InterfaceName = net.Record.InterfacePrefix + index.ToString(CultureInfo.InvariantCulture),
            HostInterface = net.Record.IsBridge ? "veth" + IdGenerator.NewId()[..7] : string.Empty,
            IPv4Address = Ipv4.Format(ip),
            PrefixLength = net.Subnet!.Value.PrefixLength,
            Gateway = net.Record.Internal ? string.Empty : net.Record.Gateway,
            MacAddress = mac,
            Aliases = aliases,
            DnsNames = dnsNames.Distinct(StringComparer.Ordinal).ToList(),
            Links = [.. ep.Links],
            RequestedIPv4 = string.IsNullOrEmpty(ep.IPv4Address) ? null : ep.IPv4Address,
            RequestedMac = string.IsNullOrEmpty(ep.MacAddress) ? null : ep.MacAddress,
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

    /// <summary>Docker's MAC for an address: 02:42 followed by the four address bytes.</summary>
    internal static string GenerateMac(uint ip) =>
        string.Create(CultureInfo.InvariantCulture, $"02:42:{ip >> 24:x2}:{(ip >> 16) & 255:x2}:{(ip >> 8) & 255:x2}:{ip & 255:x2}");

    internal static byte[]? ParseMac(string text)
    {
        var parts = text.Split(':', '-');
        if (parts.Length != 6)
        {
            return null;
        }

        var mac = new byte[6];
        for (var i = 0; i < 6; i++)
        {
            if (parts[i].Length != 2 || !byte.TryParse(parts[i], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out mac[i]))
            {
                return null;
            }
        }

        return mac;
    }

    /// <summary>Makes the namespace and all endpoints in one trip to the namespace thread.</summary>
    private async Task CreateSandboxKernelAsync(SandboxRecord s)
    {
        var sockets = await _ns.RunInNewAsync(s.NetnsPath, () =>
        {
            using var nsHandle = NetNamespace.OpenCurrent();
            using var inside = Netlink.Open();
            inside.SetUp(1); // lo is always index 1 in a new namespace
            var routed = false;
            var index = 2;
            foreach (var ep in s.Endpoints)
            {
                var route = !routed && HasGateway(ep);
                CreateEndpointKernel(s, ep, nsHandle, inside, route, index++);
                routed |= route;
            }

            return s.EmbeddedDns ? EmbeddedDnsServer.CreateSockets() : ((System.Net.Sockets.Socket Udp, System.Net.Sockets.Socket Tcp)?)null;
        }).ConfigureAwait(false);
        if (sockets is { } sk)
        {
            _dns.Start(BuildDnsSandbox(s), sk.Udp, sk.Tcp);
        }
    }

    /// <summary>
    /// Creates one endpoint's interface directly inside the container's namespace (veth peer or
    /// macvlan/ipvlan link), addresses it, brings it up and, for the gateway endpoint, adds the
    /// default route. Runs on the namespace thread (uses the host netlink socket too).
    /// </summary>
    /// <param name="index">Interface index to give the endpoint in the container (0 = unknown, looked up after creation).</param>
    private void CreateEndpointKernel(SandboxRecord s, EndpointRecord ep, Microsoft.Win32.SafeHandles.SafeFileHandle nsHandle, Netlink inside, bool defaultRoute, int index)
    {
        var net = _networks[ep.NetworkId].Record;
        var mac = ParseMac(ep.MacAddress);
        switch (net.Driver)
        {
            case "bridge":
            {
                var bridge = _nl!.GetLink(net.BridgeName) ?? throw new BerthException(ErrorKind.Internal, $"bridge {net.BridgeName} of network {net.Name} does not exist");
                _nl.CreateVeth(new VethSpec { Name = ep.HostInterface, PeerName = ep.InterfaceName, PeerNamespace = nsHandle, PeerMac = mac, MasterIndex = bridge.Index, Mtu = net.Mtu, PeerIndex = index });
                break;
            }

            case "macvlan":
            {
                var parent = _nl!.GetLink(net.Parent) ?? throw BerthException.Invalid($"-o parent interface was not found on the host: {net.Parent}");
                var mode = net.Mode switch
                {
                    "private" => MacvlanMode.Private,
                    "vepa" => MacvlanMode.Vepa,
                    "passthru" => MacvlanMode.Passthru,
                    _ => MacvlanMode.Bridge,
                };
                _nl.CreateMacvlan(new SubLinkSpec { Name = ep.InterfaceName, ParentIndex = parent.Index, Namespace = nsHandle, Mac = mode == MacvlanMode.Passthru ? null : mac, Mtu = net.Mtu, Index = index }, mode);
                break;
            }

            case "ipvlan":
            {
                var parent = _nl!.GetLink(net.Parent) ?? throw BerthException.Invalid($"-o parent interface was not found on the host: {net.Parent}");
                var mode = net.Mode switch
                {
                    "l3" => IpvlanMode.L3,
                    "l3s" => IpvlanMode.L3s,
                    _ => IpvlanMode.L2,
                };
                _nl.CreateIpvlan(new SubLinkSpec { Name = ep.InterfaceName, ParentIndex = parent.Index, Namespace = nsHandle, Mtu = net.Mtu, Index = index }, mode);
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
        inside.SetUp(index);
        if (defaultRoute)
        {
            inside.AddRoute(null, 0, IPAddress.Parse(ep.Gateway), index, replace: true);
        }
    }

    /// <summary>Undoes everything of a sandbox; tolerant of objects that are already gone.</summary>
    private async Task TearDownAsync(SandboxRecord s, bool publishEvents)
    {
        _dns.Stop(s.ContainerId);
        foreach (var e in s.Endpoints)
        {
            _registry.Unregister(e.NetworkId, e.EndpointId);
        }

        if (s.Ports.Count > 0)
        {
            await RemovePortsAsync(s.Ports).ConfigureAwait(false);
        }

        try
        {
            // Deleting a veth costs ~30 ms of RCU grace periods in the kernel; dropping the
            // namespace (its last user, the container, is gone) lets the kernel's namespace
            // clean-up delete both ends in the background, batched. Reconciliation removes any
            // host end that outlives a namespace kept alive by something else.
            await _ns.RunAsync(() =>
            {
                NetNamespace.RemoveBound(s.NetnsPath);
                return 0;
            }).ConfigureAwait(false);
        }
        catch (Exception e)
        {
            _logger.LogWarning("network: tearing down the sandbox of {Container}: {Error}", s.ContainerId, e.Message);
        }

        ReleaseAllocations(s);
        _sandboxes.Remove(s.ContainerId);
        _store.DeleteSandbox(s.ContainerId);
        if (publishEvents)
        {
            foreach (var e in s.Endpoints)
            {
                if (_networks.TryGetValue(e.NetworkId, out var n))
                {
                    Publish("disconnect", n.Record.Id, new() { ["container"] = s.ContainerId, ["name"] = n.Record.Name, ["type"] = n.Record.Driver });
                }
            }
        }
    }

    private void ReleaseAllocations(SandboxRecord s)
    {
        foreach (var e in s.Endpoints)
        {
            if (_networks.TryGetValue(e.NetworkId, out var n))
            {
                n.Allocator?.Release(Ipv4.Parse(e.IPv4Address));
            }
        }

        foreach (var p in s.Ports)
        {
            _ports.Release(p.Protocol, p.HostIp, p.HostPort);
        }
    }

    /// <summary>Deletes DNAT elements; if one was already missing the batch fails, so the table is rewritten instead.</summary>
    private async Task RemovePortsAsync(IReadOnlyList<PublishedPort> ports)
    {
        if (!_options.Iptables)
        {
            return;
        }

        var text = NftRuleset.RemovePorts(_options.NftTable, ports);
        try
        {
            await _ns.RunAsync(() => _nft!.Run(text)).ConfigureAwait(false);
        }
        catch (NftablesException)
        {
            var removed = ports.ToHashSet();
            var nets = _networks.Values.Where(n => n.Record.IsBridge && n.Subnet is not null)
                .OrderBy(n => n.Record.Created).ThenBy(n => n.Record.Name, StringComparer.Ordinal)
                .Select(n => new NatNetwork(n.Record.BridgeName, n.Subnet!.Value.ToString(), n.Record.Internal, n.Record.Masquerade)).ToList();
            var rest = _sandboxes.Values.SelectMany(s => s.Ports).Where(p => !removed.Contains(p)).ToList();
            var full = NftRuleset.Replace(_options.NftTable, nets, rest);
            await _ns.RunAsync(() => _nft!.Run(full)).ConfigureAwait(false);
        }
    }

    private void RegisterDnsNames(SandboxRecord s)
    {
        foreach (var e in s.Endpoints.Where(e => e.DnsNames.Count > 0))
        {
            _registry.Register(e.NetworkId, e.EndpointId, e.DnsNames, Ipv4.Parse(e.IPv4Address));
        }
    }

    /// <summary>The DNS view of a sandbox: its user networks (with link aliases) and upstream servers.</summary>
    private DnsSandbox BuildDnsSandbox(SandboxRecord s)
    {
        var nets = new List<DnsSandboxNetwork>();
        foreach (var e in s.Endpoints)
        {
            if (!_networks.TryGetValue(e.NetworkId, out var n) || !n.Record.HasDns)
            {
                continue;
            }

            var links = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var l in e.Links)
            {
                var (target, alias) = ParseLink(l);
                links[alias.ToLowerInvariant()] = target.ToLowerInvariant();
            }

            nets.Add(new DnsSandboxNetwork(n.Record.Id, n.Record.Name, links));
        }

        return new DnsSandbox(s.ContainerId, s.NetnsPath, nets, Upstreams(s));
    }

    /// <summary>
    /// Docker's choice of forwarders: the container's --dns (or the daemon's dns) servers, reached
    /// from inside the container; else the host's nameservers, localhost ones reached from the host.
    /// </summary>
    private List<DnsUpstreamServer> Upstreams(SandboxRecord s)
    {
        var dns = s.Dns.Count > 0 ? s.Dns : _options.Dns;
        var custom = dns.Count > 0 || s.DnsSearch.Count > 0 || s.DnsOptions.Count > 0 || _options.DnsSearch.Count > 0 || _options.DnsOptions.Count > 0;
        var list = new List<DnsUpstreamServer>();
        if (custom)
        {
            var servers = dns.Count > 0 ? dns : ResolvConf.Nameservers(ReadHostResolvConf());
            foreach (var d in servers)
            {
                if (Ipv4.TryParse(d, out var ip))
                {
                    list.Add(new DnsUpstreamServer(Ipv4.ToAddress(ip), false));
                }
            }
        }
        else
        {
            foreach (var d in ResolvConf.Nameservers(ReadHostResolvConf()))
            {
                if (Ipv4.TryParse(d, out var ip))
                {
                    list.Add(new DnsUpstreamServer(Ipv4.ToAddress(ip), Ipv4.IsLoopback(ip)));
                }
            }
        }

        return list;
    }

    private static (string Target, string Alias) ParseLink(string link)
    {
        // "name:alias", "name" or Docker's internal "/name:/container/alias".
        var colon = link.IndexOf(':', StringComparison.Ordinal);
        var target = (colon < 0 ? link : link[..colon]).TrimStart('/');
        var alias = colon < 0 ? target : link[(colon + 1)..];
        var slash = alias.LastIndexOf('/');
        if (slash >= 0)
        {
            alias = alias[(slash + 1)..];
        }

        return (target, alias);
    }

    private NetworkAttachment AttachmentOf(SandboxRecord s)
    {
        var endpoints = new List<EndpointInfo>();
        foreach (var e in s.Endpoints)
        {
            if (!_networks.TryGetValue(e.NetworkId, out var state))
            {
                continue; // its network record is gone (removed by hand): nothing to report
            }

            var n = state.Record;
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
            Hosts = BuildHosts(s),
            ResolvConf = BuildResolvConf(s),
            Endpoints = endpoints,
            Ports = [.. s.Ports.Select(p => new PortBinding(p.ContainerPort, p.Protocol, p.HostIp, p.HostPort))],
        };
    }

    private string BuildHosts(SandboxRecord s)
    {
        var extra = ExtraHosts(s.ExtraHosts).ToList();
        // Legacy links on the default bridge become hosts entries, as dockerd writes them: "IP\talias hostname name"
        // (the linked container's hostname, by default its 12-digit ID; the name only when it is not the alias).
        foreach (var e in s.Endpoints.Where(e => _networks.TryGetValue(e.NetworkId, out var n) && n.Record.IsDefaultBridge))
        {
            foreach (var l in e.Links)
            {
                var (target, alias) = ParseLink(l);
                var other = _sandboxes.Values.FirstOrDefault(o => o.ContainerName == target || o.ContainerId.StartsWith(target, StringComparison.Ordinal));
                var ip = other?.Endpoints.FirstOrDefault(oe => oe.NetworkId == e.NetworkId)?.IPv4Address;
                if (ip is not null)
                {
                    var names = other!.Hostname.Length > 0 ? $"{alias} {other.Hostname}" : alias;
                    extra.Add((ip, alias == other.ContainerName ? names : $"{names} {other.ContainerName}"));
                }
            }
        }

        return HostsFile.Build(s.Hostname, s.Domainname, extra, s.Endpoints.Select(e => e.IPv4Address));
    }

    private string BuildResolvConf(SandboxRecord s)
    {
        var plain = PlainResolvConf(s.Dns, s.DnsSearch, s.DnsOptions);
        return s.EmbeddedDns ? ResolvConf.BuildEmbedded(plain) : plain;
    }

    /// <summary>The resolv.conf without the embedded server: built from --dns* options, or the host's filtered.</summary>
    private string PlainResolvConf(IReadOnlyList<string> dns, IReadOnlyList<string> search, IReadOnlyList<string> options)
    {
        dns = dns.Count > 0 ? dns : _options.Dns;
        search = search.Count > 0 ? search : _options.DnsSearch;
        options = options.Count > 0 ? options : _options.DnsOptions;
        var host = ReadHostResolvConf();
        if (dns.Count > 0 || search.Count > 0 || options.Count > 0)
        {
            return ResolvConf.Build(
                dns.Count > 0 ? dns : ResolvConf.Nameservers(host),
                search.Count > 0 ? search : ResolvConf.Search(host),
                options.Count > 0 ? options : ResolvConf.Options(host));
        }

        return ResolvConf.FilterHost(host);
    }

    private string ReadHostResolvConf()
    {
        try
        {
            var text = File.ReadAllText(_options.HostResolvConf);
            // systemd-resolved's stub (127.0.0.53) is useless inside containers: use its upstream list (as Docker).
            const string resolved = "/run/systemd/resolve/resolv.conf";
            var ns = ResolvConf.Nameservers(text);
            if (ns.Count == 1 && ns[0] == "127.0.0.53" && File.Exists(resolved))
            {
                return File.ReadAllText(resolved);
            }

            return text;
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    private IEnumerable<(string Ip, string Names)> ExtraHosts(IEnumerable<string> entries)
    {
        foreach (var entry in entries)
        {
            var (ip, names) = HostsFile.ParseExtraHost(entry);
            if (ip == "host-gateway")
            {
                var bridge = _networks.Values.FirstOrDefault(n => n.Record.IsDefaultBridge)
                    ?? throw BerthException.Invalid("unable to derive the IP value for host-gateway: there is no default bridge");
                ip = bridge.Record.Gateway;
            }

            yield return (ip, names);
        }
    }

    private NetworkAttachment HostModeAttachment(ContainerNetworkRequest request)
    {
        string hosts;
        if (request.ExtraHosts.Count == 0)
        {
            try
            {
                hosts = File.ReadAllText(_options.HostHosts);
            }
            catch (IOException)
            {
                hosts = HostsFile.Build(string.Empty, string.Empty, [], []);
            }
        }
        else
        {
            hosts = HostsFile.Build(string.Empty, string.Empty, ExtraHosts(request.ExtraHosts), []);
        }

        var custom = request.Dns.Count > 0 || request.DnsSearch.Count > 0 || request.DnsOptions.Count > 0;
        return new NetworkAttachment
        {
            RuntimeNetworkMode = "host",
            Hosts = hosts,
            ResolvConf = custom ? PlainResolvConf(request.Dns, request.DnsSearch, request.DnsOptions) : ReadHostResolvConf(),
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
                Hosts = HostsFile.Build(request.Hostname, request.Domainname, ExtraHosts(request.ExtraHosts), []),
                ResolvConf = PlainResolvConf(request.Dns, request.DnsSearch, request.DnsOptions),
            };
        return WriteFiles(request.HostsPath, request.ResolvConfPath, attachment with { RuntimeNetworkMode = netnsPath });
    }

    private static NetworkAttachment WriteFiles(string? hostsPath, string? resolvPath, NetworkAttachment a)
    {
        if (hostsPath is not null)
        {
            WriteInPlace(hostsPath, a.Hosts);
        }

        if (resolvPath is not null)
        {
            WriteInPlace(resolvPath, a.ResolvConf);
        }

        return a;
    }

    private static void WriteInPlace(string path, string content)
    {
        // Bind-mounted files must be rewritten in place: a rename would leave the mount on the old inode.
        if (File.Exists(path))
        {
            using var f = new FileStream(path, FileMode.Open, FileAccess.Write, FileShare.ReadWrite);
            var bytes = System.Text.Encoding.UTF8.GetBytes(content);
            f.SetLength(0);
            f.Write(bytes);
            return;
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, content);
    }
}
