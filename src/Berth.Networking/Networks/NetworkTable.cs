using System.Collections.Immutable;
using System.Globalization;
using System.Security.Cryptography;
using Berth.Core.Errors;
using Berth.Core.Ids;
using Berth.Networking.Dns;
using Berth.Networking.Ipam;
using Berth.Networking.Model;
using Berth.Networking.Nat;
using Berth.Networking.Ports;
using Berth.Networking.Store;
using Berth.Platform.Net;

namespace Berth.Networking.Networks;

/// <summary>
/// The owner of network records and their bridges: the predefined networks, create, remove,
/// prune. Readers (lookups by id, name or prefix; lists; the ruleset's networks) read an
/// immutable snapshot without any lock. Changes are serialised by this table's own lock, taken
/// first when several owners are involved (then the IPAM pool's lock to close a network, then the
/// ports' lock to rewrite the nftables table).
/// </summary>
public sealed class NetworkTable
{
    private readonly NetworkServiceOptions _options;
    private readonly INetworkKernel _kernel;
    private readonly NetworkStore _store;
    private readonly TimeProvider _time;
    private readonly IpamPools _ipam;
    private readonly ContainerDns _dns;
    private readonly NetworkRecordBuilder _builder;
    private readonly Action<string, NetworkRecord> _publish;
    private ImmutableDictionary<string, NetworkRecord> _records = ImmutableDictionary.Create<string, NetworkRecord>(StringComparer.Ordinal);

    /// <param name="publish">Sends a network event ("create", "destroy") for a record.</param>
    public NetworkTable(NetworkServiceOptions options, INetworkKernel kernel, NetworkStore store, TimeProvider time, IpamPools ipam, ContainerDns dns, Action<string, NetworkRecord> publish)
    {
        _options = options;
        _kernel = kernel;
        _store = store;
        _time = time;
        _ipam = ipam;
        _dns = dns;
        _publish = publish;
        _builder = new NetworkRecordBuilder(options, kernel, time);
    }

    /// <summary>The table's lock (exposed for start-up, which holds it throughout, and for tests that hold it to show who does not wait for it).</summary>
    internal OwnerLock Lock { get; } = new();

    /// <summary>Set once, after the first full change (start-up), by whoever holds the lock.</summary>
    internal PortMapper? Ports { get; set; }

    /// <summary>All networks, oldest first (predefined ones first), as of now.</summary>
    public IReadOnlyList<NetworkRecord> All =>
        [.. Volatile.Read(ref _records).Values.OrderBy(n => n.Created).ThenBy(n => n.Name, StringComparer.Ordinal)];

    /// <summary>A network by id, or null.</summary>
    public NetworkRecord? TryGet(string id) => Volatile.Read(ref _records).GetValueOrDefault(id);

    /// <summary>The default bridge, or null when it is disabled (--bridge=none).</summary>
    public NetworkRecord? DefaultBridge => Volatile.Read(ref _records).Values.FirstOrDefault(n => n.IsDefaultBridge);

    /// <summary>Finds a network by id, name or unique id prefix (Docker's order).</summary>
    public NetworkRecord Find(string idOrName)
    {
        var records = Volatile.Read(ref _records);
        if (records.TryGetValue(idOrName, out var byId))
        {
            return byId;
        }

        var byName = records.Values.Where(n => n.Name == idOrName).ToList();
        if (byName.Count == 1)
        {
            return byName[0];
        }

        var byPrefix = idOrName.Length > 0 ? records.Values.Where(n => n.Id.StartsWith(idOrName, StringComparison.Ordinal)).ToList() : [];
        return byPrefix.Count switch
        {
            1 => byPrefix[0],
            > 1 => throw BerthException.Invalid($"network {idOrName} is ambiguous ({byPrefix.Count} matches found based on ID)"),
            _ => throw BerthException.NotFound($"network {idOrName} not found"),
        };
    }

    /// <summary>The bridge networks as the nftables table needs them, in creation order.</summary>
    public IReadOnlyList<NatNetwork> NatNetworks() =>
        [.. All.Where(n => n.IsBridge && Ipv4Subnet.TryParse(n.Subnet, out _))
            .Select(n => new NatNetwork(n.BridgeName, Ipv4Subnet.Parse(n.Subnet).ToString(), n.Internal, n.Masquerade))];

    /// <summary>
    /// Start-up, with <see cref="Lock"/> held: loads the stored networks, makes or updates the
    /// predefined ones (the default bridge from --bip, --fixed-cidr, --mtu, --bridge) and opens
    /// their IPAM pools and DNS name spaces. Bridges are made by <see cref="EnsureBridgesAsync"/>.
    /// </summary>
    internal async Task LoadAsync()
    {
        foreach (var n in _store.LoadNetworks())
        {
            Put(n);
        }

        await EnsurePredefinedAsync().ConfigureAwait(false);
        foreach (var n in Volatile.Read(ref _records).Values)
        {
            _ipam.Open(n);
            _dns.AddNetwork(n);
        }
    }

    /// <summary>Start-up, with <see cref="Lock"/> held: every bridge network's Linux bridge exists, addressed and up.</summary>
    internal async Task EnsureBridgesAsync()
    {
        foreach (var n in All.Where(n => n.IsBridge))
        {
            await EnsureBridgeAsync(n).ConfigureAwait(false);
        }
    }

    /// <summary>Creates a network. Docker's errors: name taken (409), overlapping pool (403).</summary>
    public async Task<NetworkRecord> CreateAsync(NetworkCreateSpec spec, CancellationToken cancellationToken)
    {
        using var held = await Lock.EnterAsync(cancellationToken).ConfigureAwait(false);
        var record = await _builder.BuildAsync(spec, [.. Volatile.Read(ref _records).Values]).ConfigureAwait(false);

        // The record is stored first, so a crash leaves a network whose bridge start-up makes
        // (and which can be removed), never a bridge nobody owns. Containers see the network
        // once its bridge is up and its pool and names exist.
        _store.Save(record);
        _ipam.Open(record);
        _dns.AddNetwork(record);
        try
        {
            if (record.IsBridge)
            {
                await EnsureBridgeAsync(record).ConfigureAwait(false);
            }

            Put(record);
            if (record.IsBridge)
            {
                await Ports!.ApplyRulesetAsync().ConfigureAwait(false);
            }
        }
        catch
        {
            // Nothing can have joined a network whose bridge did not come up; after the ruleset
            // failed, an endpoint may have: then the network stays (and start-up retries the table).
            if (_ipam.TryClose(record.Id))
            {
                Drop(record.Id);
                _dns.RemoveNetwork(record.Id);
                _store.DeleteNetwork(record.Id);
                if (record.IsBridge)
                {
                    await _kernel.RunAsync(host => host.DeleteLink(record.BridgeName)).ConfigureAwait(false);
                }
            }

            throw;
        }

        _publish("create", record);
        return record;
    }

    public async Task RemoveAsync(string idOrName, CancellationToken cancellationToken)
    {
        using var held = await Lock.EnterAsync(cancellationToken).ConfigureAwait(false);
        var n = Find(idOrName);
        if (n.Predefined)
        {
            throw new BerthException(ErrorKind.Forbidden, $"{n.Name} is a pre-defined network and cannot be removed");
        }

        if (!_ipam.TryClose(n.Id))
        {
            throw new BerthException(ErrorKind.Forbidden, $"error while removing network: network {n.Name} id {n.Id} has active endpoints");
        }

        await RemoveClosedAsync(n).ConfigureAwait(false);
    }

    /// <summary>
    /// Removes every user-defined network that <paramref name="candidate"/> accepts and that has
    /// no endpoint when its turn comes; returns their names.
    /// </summary>
    public async Task<IReadOnlyList<string>> PruneAsync(Func<NetworkRecord, bool> candidate, CancellationToken cancellationToken)
    {
        using var held = await Lock.EnterAsync(cancellationToken).ConfigureAwait(false);
        var removed = new List<string>();
        foreach (var n in All)
        {
            if (n.Predefined || !candidate(n) || !_ipam.TryClose(n.Id))
            {
                continue;
            }

            await RemoveClosedAsync(n).ConfigureAwait(false);
            removed.Add(n.Name);
        }

        return removed;
    }

    /// <summary>Removes a network whose pool is closed (no endpoint can join it any more).</summary>
    private async Task RemoveClosedAsync(NetworkRecord r)
    {
        // Kernel objects go first and the record last: a crash in between leaves a record whose
        // bridge is re-created at start-up (and can be removed again), never a bridge nobody owns.
        Drop(r.Id);
        _dns.RemoveNetwork(r.Id);
        if (r.IsBridge)
        {
            await Ports!.ApplyRulesetAsync().ConfigureAwait(false);
            await _kernel.RunAsync(host => host.DeleteLink(r.BridgeName)).ConfigureAwait(false);
        }

        _store.DeleteNetwork(r.Id);
        _publish("destroy", r);
    }

    private void Put(NetworkRecord r) => ImmutableInterlocked.Update(ref _records, (d, rec) => d.SetItem(rec.Id, rec), r);

    private void Drop(string id) => ImmutableInterlocked.Update(ref _records, (d, key) => d.Remove(key), id);

    private async Task EnsurePredefinedAsync()
    {
        var now = _time.GetUtcNow();
        var records = Volatile.Read(ref _records).Values.ToList();
        if (!records.Any(n => n.Predefined && n.Driver == "null"))
        {
            Add(new NetworkRecord { Id = IdGenerator.NewId(), Name = "none", Driver = "null", Created = now, Predefined = true });
        }

        if (!records.Any(n => n.Predefined && n.Driver == "host"))
        {
            Add(new NetworkRecord { Id = IdGenerator.NewId(), Name = "host", Driver = "host", Created = now, Predefined = true });
        }

        var existing = records.FirstOrDefault(n => n.IsDefaultBridge);
        if (_options.BridgeName == "none")
        {
            if (existing is not null)
            {
                Drop(existing.Id);
                _store.DeleteNetwork(existing.Id);
            }

            return;
        }

        var (subnet, gateway) = await DefaultBridgeAddressAsync(existing).ConfigureAwait(false);
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
            Id = existing?.Id ?? IdGenerator.NewId(),
            Name = "bridge",
            Driver = "bridge",
            Created = existing?.Created ?? now,
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
                [NetworkRecordBuilder.OptDefaultBridge] = "true",
                [NetworkRecordBuilder.OptIcc] = "true",
                [NetworkRecordBuilder.OptMasquerade] = "true",
                [NetworkRecordBuilder.OptHostBinding] = "0.0.0.0",
                [NetworkRecordBuilder.OptBridgeName] = _options.BridgeName,
                [NetworkRecordBuilder.OptMtu] = mtu.ToString(CultureInfo.InvariantCulture),
            },
        };
        if (existing is null || existing != record)
        {
            if (existing is not null && existing.BridgeName != record.BridgeName)
            {
                var old = existing.BridgeName;
                await _kernel.RunAsync(host => host.DeleteLink(old)).ConfigureAwait(false);
            }

            Add(record);
        }

        void Add(NetworkRecord r)
        {
            _store.Save(r);
            Put(r);
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

        var current = await _kernel.RunAsync(host =>
        {
            var link = host.GetLink(_options.BridgeName);
            return link is null ? null : host.ListAddresses().FirstOrDefault(a => a.Index == link.Index);
        }).ConfigureAwait(false);
        if (current is not null)
        {
            var ip = Ipv4.FromAddress(current.Address);
            return (Ipv4Subnet.Parse($"{Ipv4.Format(ip)}/{current.PrefixLength}"), ip);
        }

        var taken = await _builder.HostSubnetsAsync([.. Volatile.Read(ref _records).Values]).ConfigureAwait(false);
        var pick = AddressPool.PickFree(_options.DefaultAddressPools, taken)
            ?? throw BerthException.Invalid("could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network");
        return (pick, pick.Network + 1);
    }

    /// <summary>Creates the Linux bridge if needed, gives it the gateway address, brings it up.</summary>
    private Task EnsureBridgeAsync(NetworkRecord r) => _kernel.RunAsync(host =>
    {
        var link = host.GetLink(r.BridgeName);
        if (link is null)
        {
            var mac = RandomNumberGenerator.GetBytes(6);
            mac[0] = 0x02;
            mac[1] = 0x42;
            host.CreateBridge(r.BridgeName, r.Mtu, mac);
            link = host.GetLink(r.BridgeName) ?? throw new InvalidOperationException($"bridge {r.BridgeName} vanished");
        }
        else if (link.Kind != "bridge")
        {
            throw BerthException.Conflict($"interface {r.BridgeName} exists and is not a bridge");
        }

        var subnet = Ipv4Subnet.Parse(r.Subnet);
        var gw = Ipv4.Parse(r.Gateway);
        if (!host.ListAddresses().Any(a => a.Index == link.Index && Ipv4.FromAddress(a.Address) == gw && a.PrefixLength == subnet.PrefixLength))
        {
            host.AddAddress(link.Index, Ipv4.ToAddress(gw), subnet.PrefixLength);
        }

        if (r.Mtu > 0 && link.Mtu != r.Mtu)
        {
            host.SetMtu(link.Index, r.Mtu);
        }

        host.SetUp(link.Index);
        if (_options.Iptables)
        {
            // Lets DNAT to a container work for connections to 127.0.0.1 (published on loopback).
            host.WriteSysctl($"net/ipv4/conf/{r.BridgeName}/route_localnet", "1");
        }

        return 0;
    });
}
