using System.Globalization;
using System.Security.Cryptography;
using Berth.Core.Errors;
using Berth.Core.Ids;
using Berth.Networking.Files;
using Berth.Networking.Ipam;
using Berth.Networking.Model;
using Berth.Platform.Net;

namespace Berth.Networking.Networks;

/// <summary>
/// Turns a network create request into a record, with Docker's checks and errors: name taken
/// (409), predefined names and overlapping pools (403), drivers, options and IPAM settings that
/// are not supported (501 naming them). Looks at the host's links and routes through the kernel;
/// holds no state of its own.
/// </summary>
public sealed class NetworkRecordBuilder(NetworkServiceOptions options, INetworkKernel kernel, TimeProvider time)
{
    internal const string OptBridgeName = "com.docker.network.bridge.name";
    internal const string OptMasquerade = "com.docker.network.bridge.enable_ip_masquerade";
    internal const string OptIcc = "com.docker.network.bridge.enable_icc";
    internal const string OptHostBinding = "com.docker.network.bridge.host_binding_ipv4";
    internal const string OptMtu = "com.docker.network.driver.mtu";
    internal const string OptDefaultBridge = "com.docker.network.bridge.default_bridge";
    internal const string OptIfacePrefix = "com.docker.network.container_iface_prefix";

    private static readonly string[] PredefinedNames = ["bridge", "host", "none"];

    private readonly NetworkServiceOptions _options = options;
    private readonly INetworkKernel _kernel = kernel;
    private readonly TimeProvider _time = time;

    /// <summary>
    /// Checks a create request as dockerd does and makes its record (id, subnet, gateway, bridge
    /// or parent, options) against <paramref name="existing"/>, the networks there are now.
    /// </summary>
    public async Task<NetworkRecord> BuildAsync(NetworkCreateSpec spec, IReadOnlyCollection<NetworkRecord> existing)
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

        if (existing.Any(n => n.Name == name))
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

            if (existing.Any(n => Ipv4Subnet.TryParse(n.Subnet, out var other) && other.Overlaps(subnet)))
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

            var taken = (await HostSubnetsAsync(existing).ConfigureAwait(false)).Concat(existing.Select(n => Ipv4Subnet.TryParse(n.Subnet, out var s) ? s : (Ipv4Subnet?)null).OfType<Ipv4Subnet>()).ToList();
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

        var built = driver == "bridge" ? await BridgeOptionsAsync(record, options, existing).ConfigureAwait(false) : await SubLinkOptionsAsync(record, options, existing).ConfigureAwait(false);
        if (built.Driver == "ipvlan")
        {
            await ProbeIpvlanAsync(built).ConfigureAwait(false);
        }

        return built;
    }

    private async Task<NetworkRecord> BridgeOptionsAsync(NetworkRecord record, Dictionary<string, string> options, IReadOnlyCollection<NetworkRecord> existing)
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

        if (existing.Any(n => n.IsBridge && n.BridgeName == bridge))
        {
            throw BerthException.Conflict($"bridge name {bridge} is already used by another network");
        }

        var hostNames = await _kernel.RunAsync(host => host.ListLinks().Select(l => l.Name).ToHashSet(StringComparer.Ordinal)).ConfigureAwait(false);
        if (hostNames.Contains(bridge) && !options.ContainsKey(OptBridgeName))
        {
            throw BerthException.Conflict($"bridge name {bridge} is already in use on the host");
        }

        return record with { BridgeName = bridge, Masquerade = masquerade, HostBindingIpv4 = hostBinding, Mtu = mtu, InterfacePrefix = prefix };
    }

    private async Task<NetworkRecord> SubLinkOptionsAsync(NetworkRecord record, Dictionary<string, string> options, IReadOnlyCollection<NetworkRecord> existing)
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

        var exists = await _kernel.RunAsync(host => host.GetLink(parent) is not null).ConfigureAwait(false);
        if (!exists)
        {
            if (parent.Contains('.', StringComparison.Ordinal))
            {
                throw BerthException.NotImplemented($"creating the VLAN sub-interface {parent} is not supported yet: create it first");
            }

            throw BerthException.Invalid($"-o parent interface was not found on the host: {parent}");
        }

        if (record.Driver == "macvlan" && existing.FirstOrDefault(n => n.Driver == "macvlan" && n.Parent == parent) is { } sharing)
        {
            var other = sharing.Name;
            throw new BerthException(ErrorKind.Forbidden, $"network {other} is already using parent interface {parent}");
        }

        return record with { Parent = parent, Mode = mode, Mtu = mtu, InterfacePrefix = prefix, Masquerade = false };
    }

    /// <summary>ipvlan is not built into every kernel (not this project's CI kernel): refuse the network clearly at create.</summary>
    private Task ProbeIpvlanAsync(NetworkRecord record) => _kernel.RunAsync(host =>
    {
        var probe = "bnipv" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
        var parent = host.GetLink(record.Parent)!;
        try
        {
            host.CreateIpvlan(new SubLinkSpec { Name = probe, ParentIndex = parent.Index }, IpvlanMode.L2, null);
            host.DeleteLink(probe);
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
    public async Task<List<Ipv4Subnet>> HostSubnetsAsync(IReadOnlyCollection<NetworkRecord> existing)
    {
        var ours = existing.Where(n => n.IsBridge).Select(n => n.BridgeName).ToHashSet(StringComparer.Ordinal);
        var routes = await _kernel.RunAsync(host =>
        {
            var links = host.ListLinks().Where(l => ours.Contains(l.Name)).Select(l => l.Index).ToHashSet();
            return host.ListRoutes().Where(r => r.Destination is not null && !links.Contains(r.OutIndex)).ToList();
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
}
