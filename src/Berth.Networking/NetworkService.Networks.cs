using System.Globalization;
using System.Security.Cryptography;
using Berth.Core.Errors;
using Berth.Core.Ids;
using Berth.Networking.Files;
using Berth.Networking.Ipam;
using Berth.Networking.Model;
using Berth.Platform.Net;

namespace Berth.Networking;

/// <summary>Networks: predefined ones, create, inspect, list, remove, prune.</summary>
public sealed partial class NetworkService
{
    private const string OptBridgeName = "com.docker.network.bridge.name";
    private const string OptMasquerade = "com.docker.network.bridge.enable_ip_masquerade";
    private const string OptIcc = "com.docker.network.bridge.enable_icc";
    private const string OptHostBinding = "com.docker.network.bridge.host_binding_ipv4";
    private const string OptMtu = "com.docker.network.driver.mtu";
    private const string OptDefaultBridge = "com.docker.network.bridge.default_bridge";
    private const string OptIfacePrefix = "com.docker.network.container_iface_prefix";

    private static readonly string[] PredefinedNames = ["bridge", "host", "none"];

    /// <summary>Creates a network; returns its id. Docker's errors: name taken (409), overlapping pool (403).</summary>
    public async Task<string> CreateNetworkAsync(NetworkCreateSpec spec, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            EnsureInitialized();
            var record = await BuildNetworkAsync(spec).ConfigureAwait(false);
            var state = new NetworkState(record);
            if (record.Driver == "ipvlan")
            {
                await ProbeIpvlanAsync(record).ConfigureAwait(false);
            }

            _store.Save(record);
            _networks[record.Id] = state;
            RebuildAllocator(state);
            try
            {
                if (record.IsBridge)
                {
                    await EnsureBridgeAsync(record).ConfigureAwait(false);
                    await ApplyRulesetAsync().ConfigureAwait(false);
                }
            }
            catch
            {
                _networks.Remove(record.Id);
                _store.DeleteNetwork(record.Id);
                if (record.IsBridge)
                {
                    await _ns.RunAsync(() => _nl!.DeleteLink(record.BridgeName)).ConfigureAwait(false);
                }

                throw;
            }

            if (record.HasDns)
            {
                _registry.AddNetwork(record.Id, record.Name);
            }

            Publish("create", record.Id, new() { ["name"] = record.Name, ["type"] = record.Driver });
            return record.Id;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Finds a network by id, name or unique id prefix (Docker's order) and snapshots it.</summary>
    public async Task<NetworkView> GetNetworkAsync(string idOrName, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return View(Find(idOrName));
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>All networks, oldest first (predefined ones first).</summary>
    public async Task<IReadOnlyList<NetworkView>> ListNetworksAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return [.. _networks.Values.OrderBy(n => n.Record.Created).ThenBy(n => n.Record.Name, StringComparer.Ordinal).Select(View)];
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task RemoveNetworkAsync(string idOrName, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            EnsureInitialized();
            await RemoveCoreAsync(Find(idOrName)).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Removes every user-defined network without endpoints that <paramref name="filter"/> accepts; returns their names.</summary>
    public async Task<IReadOnlyList<string>> PruneNetworksAsync(Func<NetworkView, bool> filter, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            EnsureInitialized();
            var removed = new List<string>();
            foreach (var n in _networks.Values.OrderBy(n => n.Record.Created).ToList())
            {
                var view = View(n);
                if (n.Record.Predefined || view.Endpoints.Count > 0 || !filter(view))
                {
                    continue;
                }

                await RemoveCoreAsync(n).ConfigureAwait(false);
                removed.Add(n.Record.Name);
            }

            return removed;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task RemoveCoreAsync(NetworkState n)
    {
        var r = n.Record;
        if (r.Predefined)
        {
            throw new BerthException(ErrorKind.Forbidden, $"{r.Name} is a pre-defined network and cannot be removed");
        }

        if (_sandboxes.Values.Any(s => s.Endpoints.Any(e => e.NetworkId == r.Id)))
        {
            throw new BerthException(ErrorKind.Forbidden, $"error while removing network: network {r.Name} id {r.Id} has active endpoints");
        }

        // Kernel objects go first and the record last: a crash in between leaves a record whose
        // bridge is re-created at start-up (and can be removed again), never a bridge nobody owns.
        _networks.Remove(r.Id);
        _registry.RemoveNetwork(r.Id);
        if (r.IsBridge)
        {
            await ApplyRulesetAsync().ConfigureAwait(false);
            await _ns.RunAsync(() => _nl!.DeleteLink(r.BridgeName)).ConfigureAwait(false);
        }

        _store.DeleteNetwork(r.Id);

        Publish("destroy", r.Id, new() { ["name"] = r.Name, ["type"] = r.Driver });
    }

    private NetworkState Find(string idOrName)
    {
        if (_networks.TryGetValue(idOrName, out var byId))
        {
            return byId;
        }

        var byName = _networks.Values.Where(n => n.Record.Name == idOrName).ToList();
        if (byName.Count == 1)
        {
            return byName[0];
        }

        var byPrefix = idOrName.Length > 0 ? _networks.Values.Where(n => n.Record.Id.StartsWith(idOrName, StringComparison.Ordinal)).ToList() : [];
        return byPrefix.Count switch
        {
            1 => byPrefix[0],
            > 1 => throw BerthException.Invalid($"network {idOrName} is ambiguous ({byPrefix.Count} matches found based on ID)"),
            _ => throw BerthException.NotFound($"network {idOrName} not found"),
        };
    }

    private NetworkView View(NetworkState n)
    {
        var eps = new List<NetworkEndpointView>();
        foreach (var s in _sandboxes.Values)
        {
            foreach (var e in s.Endpoints.Where(e => e.NetworkId == n.Record.Id))
            {
                eps.Add(new NetworkEndpointView(s.ContainerId, s.ContainerName, e.EndpointId, e.MacAddress, e.IPv4Address, e.PrefixLength));
            }
        }

        return new NetworkView(n.Record, eps);
    }

    private async Task EnsurePredefinedAsync()
    {
        var now = _time.GetUtcNow();
        if (!_networks.Values.Any(n => n.Record.Predefined && n.Record.Driver == "null"))
        {
            Add(new NetworkRecord { Id = IdGenerator.NewId(), Name = "none", Driver = "null", Created = now, Predefined = true });
        }

        if (!_networks.Values.Any(n => n.Record.Predefined && n.Record.Driver == "host"))
        {
            Add(new NetworkRecord { Id = IdGenerator.NewId(), Name = "host", Driver = "host", Created = now, Predefined = true });
        }

        var existing = _networks.Values.FirstOrDefault(n => n.Record.IsDefaultBridge);
        if (_options.BridgeName == "none")
        {
            if (existing is not null)
            {
                _networks.Remove(existing.Record.Id);
                _store.DeleteNetwork(existing.Record.Id);
            }

            return;
        }

        var (subnet, gateway) = await DefaultBridgeAddressAsync(existing?.Record).ConfigureAwait(false);
        var mtu = _options.Mtu > 0 ? _options.Mtu : 1500;
        string? fixedCidr = null;
        if (_options.FixedCidr is { } fc)
        {
            if (!Ipv4Subnet.TryParse(fc, out var range) || !subnet.Contains(range))
            {
                throw BerthException.Invalid($"--fixed-cidr {fc} is not inside the default bridge's subnet {subnet}");
            }

            fixedCidr = range.ToString();
        }

        var record = new NetworkRecord
        {
            Id = existing?.Record.Id ?? IdGenerator.NewId(),
            Name = "bridge",
            Driver = "bridge",
            Created = existing?.Record.Created ?? now,
            Predefined = true,
            IsDefaultBridge = true,
            Subnet = subnet.ToString(),
            Gateway = Ipv4.Format(gateway),
            IPRange = fixedCidr,
            SubnetConfigured = false,
            ShowGateway = false,
            BridgeName = _options.BridgeName,
            Mtu = _options.Mtu,
            IpamOptions = null,
            Options = new()
            {
                [OptDefaultBridge] = "true",
                [OptIcc] = "true",
                [OptMasquerade] = "true",
                [OptHostBinding] = "0.0.0.0",
                [OptBridgeName] = _options.BridgeName,
                [OptMtu] = mtu.ToString(CultureInfo.InvariantCulture),
            },
        };
        if (existing is null || existing.Record != record)
        {
            if (existing is not null && existing.Record.BridgeName != record.BridgeName)
            {
                var old = existing.Record.BridgeName;
                await _ns.RunAsync(() => _nl!.DeleteLink(old)).ConfigureAwait(false);
            }

            Add(record);
        }

        void Add(NetworkRecord r)
        {
            _store.Save(r);
            _networks[r.Id] = new NetworkState(r);
        }
    }

    /// <summary>--bip, else the stored choice, else the bridge's current address, else the first free default pool.</summary>
    private async Task<(Ipv4Subnet Subnet, uint Gateway)> DefaultBridgeAddressAsync(NetworkRecord? existing)
    {
        if (_options.Bip is { } bip)
        {
            if (!Ipv4Subnet.TryParse(bip, out var s))
            {
                throw BerthException.Invalid($"invalid --bip {bip}: expected an address with a prefix length, e.g. 172.17.0.1/16");
            }

            var gw = Ipv4.Parse(bip[..bip.IndexOf('/', StringComparison.Ordinal)]);
            return (s, gw == s.Network ? s.Network + 1 : gw);
        }

        if (existing is not null && Ipv4Subnet.TryParse(existing.Subnet, out var stored))
        {
            return (stored, Ipv4.Parse(existing.Gateway));
        }

        var current = await _ns.RunAsync(() =>
        {
            var link = _nl!.GetLink(_options.BridgeName);
            return link is null ? null : _nl.ListAddresses().FirstOrDefault(a => a.Index == link.Index);
        }).ConfigureAwait(false);
        if (current is not null)
        {
            var ip = Ipv4.FromAddress(current.Address);
            return (Ipv4Subnet.Parse($"{Ipv4.Format(ip)}/{current.PrefixLength}"), ip);
        }

        var taken = await HostSubnetsAsync().ConfigureAwait(false);
        var pick = AddressPool.PickFree(_options.DefaultAddressPools, taken)
            ?? throw BerthException.Invalid("could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network");
        return (pick, pick.Network + 1);
    }

    private async Task<NetworkRecord> BuildNetworkAsync(NetworkCreateSpec spec)
    {
        var name = spec.Name;
        if (string.IsNullOrWhiteSpace(name))
        {
            throw BerthException.Invalid("network name must not be empty");
        }

        if (PredefinedNames.Contains(name))
        {
            throw new BerthException(ErrorKind.Forbidden, $"{name} is a pre-defined network and cannot be created");
        }

        if (_networks.Values.Any(n => n.Record.Name == name))
        {
            throw BerthException.Conflict($"network with name {name} already exists");
        }

        var driver = string.IsNullOrEmpty(spec.Driver) ? "bridge" : spec.Driver;
        switch (driver)
        {
            case "bridge" or "macvlan" or "ipvlan":
                break;
            case "overlay":
                throw BerthException.NotImplemented("overlay networks need swarm mode, which is not supported yet");
            case "host" or "null":
                throw new BerthException(ErrorKind.Forbidden, $"only one instance of \"{driver}\" network is allowed");
            default:
                throw BerthException.NotFound($"plugin \"{driver}\" not found");
        }

        if (spec.EnableIPv6)
        {
            throw BerthException.NotImplemented("IPv6 networks (--ipv6) are not supported yet");
        }

        if (spec.Ingress)
        {
            throw BerthException.NotImplemented("ingress networks need swarm mode, which is not supported yet");
        }

        if (spec.ConfigOnly || !string.IsNullOrEmpty(spec.ConfigFrom))
        {
            throw BerthException.NotImplemented("--config-only and --config-from networks are not supported yet");
        }

        if (spec.Scope is not ("" or "local"))
        {
            throw BerthException.NotImplemented($"network scope \"{spec.Scope}\" is not supported (only local)");
        }

        if (spec.IpamDriver is not ("" or "default"))
        {
            throw BerthException.NotFound($"plugin \"{spec.IpamDriver}\" not found");
        }

        if (spec.IpamOptions.Count > 0)
        {
            throw BerthException.NotImplemented($"IPAM options are not supported yet: {string.Join(", ", spec.IpamOptions.Keys)}");
        }

        var v4 = spec.IpamConfig.Where(c => c.Subnet is null || !c.Subnet.Contains(':', StringComparison.Ordinal)).ToList();
        if (v4.Count != spec.IpamConfig.Count)
        {
            throw BerthException.NotImplemented("IPv6 subnets are not supported yet");
        }

        if (v4.Count > 1)
        {
            throw BerthException.NotImplemented("more than one IPv4 subnet per network is not supported yet");
        }

        var id = IdGenerator.NewId();
        var pool = v4.FirstOrDefault();
        Ipv4Subnet subnet;
        var configured = pool?.Subnet is { Length: > 0 };
        if (configured)
        {
            if (!Ipv4Subnet.TryParse(pool!.Subnet, out subnet))
            {
                throw BerthException.Invalid($"invalid CIDR address: {pool.Subnet}");
            }

            if (_networks.Values.Any(n => n.Subnet is { } other && other.Overlaps(subnet)))
            {
                throw new BerthException(ErrorKind.Forbidden, "Pool overlaps with other one on this address space");
            }
        }
        else
        {
            if (pool is not null && (pool.Gateway is { Length: > 0 } || pool.IPRange is { Length: > 0 }))
            {
                throw BerthException.Invalid("ipam config: gateway and ip-range need a subnet");
            }

            var taken = (await HostSubnetsAsync().ConfigureAwait(false)).Concat(_networks.Values.Where(n => n.Subnet is not null).Select(n => n.Subnet!.Value)).ToList();
            subnet = AddressPool.PickFree(_options.DefaultAddressPools, taken)
                ?? throw BerthException.Invalid("could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network");
        }

        string? ipRange = null;
        if (pool?.IPRange is { Length: > 0 } rangeText)
        {
            if (!Ipv4Subnet.TryParse(rangeText, out var range))
            {
                throw BerthException.Invalid($"invalid CIDR address: {rangeText}");
            }

            if (!subnet.Contains(range))
            {
                throw BerthException.Invalid($"no matching subnet for range {rangeText}");
            }

            ipRange = range.ToString();
        }

        uint gateway;
        if (pool?.Gateway is { Length: > 0 } gwText)
        {
            if (!Ipv4.TryParse(gwText, out gateway))
            {
                throw BerthException.Invalid($"invalid gateway address {gwText}");
            }

            if (!subnet.Contains(gateway))
            {
                throw BerthException.Invalid($"no matching subnet for gateway {gwText}");
            }
        }
        else
        {
            gateway = subnet.PrefixLength >= 31 ? subnet.Network : subnet.Network + 1;
        }

        var aux = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (auxName, auxIp) in pool?.AuxiliaryAddresses ?? new Dictionary<string, string>())
        {
            if (!Ipv4.TryParse(auxIp, out var a) || !subnet.Contains(a))
            {
                throw BerthException.Invalid($"no matching subnet for aux-address {auxIp}");
            }

            aux[auxName] = auxIp;
        }

        var options = new Dictionary<string, string>(spec.Options, StringComparer.Ordinal);
        var record = new NetworkRecord
        {
            Id = id,
            Name = name,
            Driver = driver,
            Created = _time.GetUtcNow(),
            Internal = spec.Internal,
            Attachable = spec.Attachable,
            IpamOptions = [],
            Subnet = subnet.ToString(),
            Gateway = Ipv4.Format(gateway),
            IPRange = ipRange,
            AuxiliaryAddresses = aux,
            SubnetConfigured = configured,
            Options = options,
            Labels = new Dictionary<string, string>(spec.Labels, StringComparer.Ordinal),
        };

        return driver == "bridge" ? await BridgeOptionsAsync(record, options).ConfigureAwait(false) : await SubLinkOptionsAsync(record, options).ConfigureAwait(false);
    }

    private async Task<NetworkRecord> BridgeOptionsAsync(NetworkRecord record, Dictionary<string, string> options)
    {
        var bridge = "br-" + record.Id[..12];
        var masquerade = true;
        var hostBinding = "0.0.0.0";
        var mtu = 0;
        var prefix = "eth";
        foreach (var (k, v) in options)
        {
            switch (k)
            {
                case OptBridgeName:
                    bridge = Berth.Core.Model.InterfaceName.Validate(v, "bridge name");
                    break;
                case OptMasquerade:
                    masquerade = ParseBool(k, v);
                    break;
                case OptIcc:
                    if (!ParseBool(k, v))
                    {
                        throw BerthException.NotImplemented($"{OptIcc}=false is not supported yet");
                    }

                    break;
                case OptHostBinding:
                    if (!Ipv4.TryParse(v, out _))
                    {
                        throw BerthException.Invalid($"invalid {OptHostBinding}: {v}");
                    }

                    hostBinding = v;
                    break;
                case OptMtu:
                    mtu = ParseMtu(v);
                    break;
                case OptIfacePrefix:
                    prefix = Berth.Core.Model.InterfaceName.Validate(v, "container interface prefix");
                    break;
                default:
                    RefuseUnknownDockerOption(k);
                    break;
            }
        }

        if (_networks.Values.Any(n => n.Record.IsBridge && n.Record.BridgeName == bridge))
        {
            throw BerthException.Conflict($"bridge name {bridge} is already used by another network");
        }

        var hostNames = await _ns.RunAsync(() => _nl!.ListLinks().Select(l => l.Name).ToHashSet(StringComparer.Ordinal)).ConfigureAwait(false);
        if (hostNames.Contains(bridge) && !options.ContainsKey(OptBridgeName))
        {
            throw BerthException.Conflict($"bridge name {bridge} is already in use on the host");
        }

        return record with { BridgeName = bridge, Masquerade = masquerade, HostBindingIpv4 = hostBinding, Mtu = mtu, InterfacePrefix = prefix };
    }

    private async Task<NetworkRecord> SubLinkOptionsAsync(NetworkRecord record, Dictionary<string, string> options)
    {
        var parent = string.Empty;
        var mode = record.Driver == "macvlan" ? "bridge" : "l2";
        var mtu = 0;
        var prefix = "eth";
        foreach (var (k, v) in options)
        {
            switch (k)
            {
                case "parent":
                    parent = Berth.Core.Model.InterfaceName.Validate(v, "parent interface");
                    break;
                case "macvlan_mode" when record.Driver == "macvlan":
                    if (v is not ("bridge" or "private" or "vepa" or "passthru"))
                    {
                        throw BerthException.Invalid($"requested macvlan mode '{v}' is not valid, 'bridge' mode is the macvlan driver default");
                    }

                    mode = v;
                    break;
                case "ipvlan_mode" when record.Driver == "ipvlan":
                    if (v is not ("l2" or "l3" or "l3s"))
                    {
                        throw BerthException.Invalid($"requested ipvlan mode '{v}' is not valid, 'l2' mode is the ipvlan driver default");
                    }

                    mode = v;
                    break;
                case "ipvlan_flag" when record.Driver == "ipvlan":
                    if (v is not ("bridge" or "private" or "vepa"))
                    {
                        throw BerthException.Invalid($"requested ipvlan flag '{v}' is not valid, 'bridge' is the ipvlan driver default");
                    }

                    break;
                case OptMtu:
                    mtu = ParseMtu(v);
                    break;
                case OptIfacePrefix:
                    prefix = Berth.Core.Model.InterfaceName.Validate(v, "container interface prefix");
                    break;
                default:
                    RefuseUnknownDockerOption(k);
                    break;
            }
        }

        if (parent.Length == 0)
        {
            throw BerthException.NotImplemented($"{record.Driver} networks need -o parent=<interface> (Berth does not create dummy parent links)");
        }

        var exists = await _ns.RunAsync(() => _nl!.GetLink(parent) is not null).ConfigureAwait(false);
        if (!exists)
        {
            if (parent.Contains('.', StringComparison.Ordinal))
            {
                throw BerthException.NotImplemented($"creating the VLAN sub-interface {parent} is not supported yet: create it first");
            }

            throw BerthException.Invalid($"-o parent interface was not found on the host: {parent}");
        }

        if (record.Driver == "macvlan" && _networks.Values.Any(n => n.Record.Driver == "macvlan" && n.Record.Parent == parent))
        {
            var other = _networks.Values.First(n => n.Record.Driver == "macvlan" && n.Record.Parent == parent).Record.Name;
            throw new BerthException(ErrorKind.Forbidden, $"network {other} is already using parent interface {parent}");
        }

        return record with { Parent = parent, Mode = mode, Mtu = mtu, InterfacePrefix = prefix, Masquerade = false };
    }

    /// <summary>ipvlan is not built into every kernel (not this project's CI kernel): refuse the network clearly at create.</summary>
    private Task ProbeIpvlanAsync(NetworkRecord record) => _ns.RunAsync(() =>
    {
        var probe = "bnipv" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var parent = _nl!.GetLink(record.Parent)!;
        try
        {
            _nl.CreateIpvlan(new SubLinkSpec { Name = probe, ParentIndex = parent.Index }, IpvlanMode.L2);
            _nl.DeleteLink(probe);
            return 0;
        }
        catch (NetlinkException e) when (e.Errno == NetlinkException.EOPNOTSUPP)
        {
            throw BerthException.NotImplemented($"the ipvlan driver is not available: this kernel has no ipvlan support ({e.Message})");
        }
    });

    private static void RefuseUnknownDockerOption(string key)
    {
        if (key.StartsWith("com.docker.network.", StringComparison.Ordinal))
        {
            throw BerthException.NotImplemented($"network option {key} is not supported yet");
        }
    }

    private static bool ParseBool(string key, string value) => value.ToLowerInvariant() switch
    {
        "true" or "1" => true,
        "false" or "0" => false,
        _ => throw BerthException.Invalid($"invalid value for {key}: {value}"),
    };

    private static int ParseMtu(string value) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var mtu) && mtu is >= 68 and <= 65535
            ? mtu
            : throw BerthException.Invalid($"invalid MTU number: {value}");

    /// <summary>Subnets routed in the host namespace (not through Berth's own bridges) plus the host's nameservers.</summary>
    private async Task<List<Ipv4Subnet>> HostSubnetsAsync()
    {
        var ours = _networks.Values.Where(n => n.Record.IsBridge).Select(n => n.Record.BridgeName).ToHashSet(StringComparer.Ordinal);
        var routes = await _ns.RunAsync(() =>
        {
            var links = _nl!.ListLinks().Where(l => ours.Contains(l.Name)).Select(l => l.Index).ToHashSet();
            return _nl.ListRoutes().Where(r => r.Destination is not null && !links.Contains(r.OutIndex)).ToList();
        }).ConfigureAwait(false);
        var list = routes.Select(r => Ipv4Subnet.Parse($"{r.Destination}/{r.PrefixLength}")).ToList();
        try
        {
            foreach (var ns in ResolvConf.Nameservers(File.ReadAllText(_options.HostResolvConf)))
            {
                if (Ipv4.TryParse(ns, out var ip))
                {
                    list.Add(new Ipv4Subnet(ip, 32));
                }
            }
        }
        catch (IOException)
        {
        }

        return list;
    }

    /// <summary>Creates the Linux bridge if needed, gives it the gateway address, brings it up.</summary>
    private Task EnsureBridgeAsync(NetworkRecord r) => _ns.RunAsync(() =>
    {
        var link = _nl!.GetLink(r.BridgeName);
        if (link is null)
        {
            var mac = RandomNumberGenerator.GetBytes(6);
            mac[0] = 0x02;
            mac[1] = 0x42;
            _nl.CreateBridge(r.BridgeName, r.Mtu, mac);
            link = _nl.GetLink(r.BridgeName) ?? throw new InvalidOperationException($"bridge {r.BridgeName} vanished");
        }
        else if (link.Kind != "bridge")
        {
            throw BerthException.Conflict($"interface {r.BridgeName} exists and is not a bridge");
        }

        var subnet = Ipv4Subnet.Parse(r.Subnet);
        var gw = Ipv4.Parse(r.Gateway);
        if (!_nl.ListAddresses().Any(a => a.Index == link.Index && Ipv4.FromAddress(a.Address) == gw && a.PrefixLength == subnet.PrefixLength))
        {
            _nl.AddAddress(link.Index, Ipv4.ToAddress(gw), subnet.PrefixLength);
        }

        if (r.Mtu > 0 && link.Mtu != r.Mtu)
        {
            _nl.SetMtu(link.Index, r.Mtu);
        }

        _nl.SetUp(link.Index);
        if (_options.Iptables)
        {
            // Lets DNAT to a container work for connections to 127.0.0.1 (published on loopback).
            Sysctl.Write($"net/ipv4/conf/{r.BridgeName}/route_localnet", "1");
        }

        return 0;
    });

    /// <summary>Rebuilds every network's allocator and the port allocator from the sandboxes.</summary>
    private void RebuildAllocations()
    {
        foreach (var n in _networks.Values)
        {
            RebuildAllocator(n);
        }

        foreach (var s in _sandboxes.Values)
        {
            foreach (var p in s.Ports)
            {
                _ports.Restore(p.Protocol, p.HostIp, p.HostPort);
            }
        }
    }

    private void RebuildAllocator(NetworkState n)
    {
        if (n.Subnet is not { } subnet)
        {
            n.Allocator = null;
            return;
        }

        var reserved = new List<uint> { Ipv4.Parse(n.Record.Gateway) };
        reserved.AddRange(n.Record.AuxiliaryAddresses.Values.Select(Ipv4.Parse));
        n.Allocator = new AddressAllocator(subnet, n.Record.IPRange is { } r ? Ipv4Subnet.Parse(r) : null, reserved);
        foreach (var e in _sandboxes.Values.SelectMany(s => s.Endpoints).Where(e => e.NetworkId == n.Record.Id))
        {
            n.Allocator.Restore(Ipv4.Parse(e.IPv4Address));
        }
    }
}
