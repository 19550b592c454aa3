namespace Berth.Networking.Dns;

/// <summary>
/// The embedded DNS server's records: per network, names (container names, network aliases,
/// short ids) to addresses, and addresses to "name.network" for reverse lookups. Names are
/// network-scoped: a sandbox sees only the networks it is connected to. A name with several
/// addresses (a shared alias) is answered with all of them, starting one further on each query
/// (round robin). Thread-safe; lookups hold the lock for a few dictionary reads.
/// </summary>
public sealed class DnsRegistry
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Zone> _zones = new(StringComparer.Ordinal);

    public void AddNetwork(string networkId, string networkName)
    {
        lock (_lock)
        {
            if (!_zones.ContainsKey(networkId))
            {
                _zones[networkId] = new Zone(networkName);
            }
        }
    }

    public void RemoveNetwork(string networkId)
    {
        lock (_lock)
        {
            _zones.Remove(networkId);
        }
    }

    /// <summary>Registers an endpoint's names; the first name is the container name (answered by PTR).</summary>
    public void Register(string networkId, string endpointId, IReadOnlyList<string> names, uint ip)
    {
        lock (_lock)
        {
            if (!_zones.TryGetValue(networkId, out var zone))
            {
                return;
            }

            Unregister(zone, endpointId);
            var lowered = names.Where(n => n.Length > 0).Select(n => n.ToLowerInvariant()).Distinct().ToList();
            zone.Endpoints[endpointId] = (lowered, ip);
            foreach (var n in lowered)
            {
                if (!zone.Names.TryGetValue(n, out var entry))
                {
                    zone.Names[n] = entry = new NameEntry();
                }

                entry.Records.Add((endpointId, ip));
            }

            if (lowered.Count > 0)
            {
                zone.Reverse[ip] = $"{lowered[0]}.{zone.Name}";
            }
        }
    }

    public void Unregister(string networkId, string endpointId)
    {
        lock (_lock)
        {
            if (_zones.TryGetValue(networkId, out var zone))
            {
                Unregister(zone, endpointId);
            }
        }
    }

    /// <summary>Number of names known on a network (tests and leak checks).</summary>
    public int CountNames(string networkId)
    {
        lock (_lock)
        {
            return _zones.TryGetValue(networkId, out var z) ? z.Names.Count : 0;
        }
    }

    /// <summary>
    /// Docker's resolution order for "a.b.c": a.b.c on every network of the sandbox, then a.b on
    /// network "c", then a on network "b.c"; on each step link aliases come before names.
    /// </summary>
    public DnsLookup Resolve(DnsSandbox sandbox, string name)
    {
        lock (_lock)
        {
            var r = ResolveIn(sandbox, name, null);
            if (r.KnownName)
            {
                return r;
            }

            for (var i = name.LastIndexOf('.'); i > 0; i = name.LastIndexOf('.', i - 1))
            {
                r = ResolveIn(sandbox, name[..i], name[(i + 1)..]);
                if (r.KnownName)
                {
                    return r;
                }
            }

            return DnsLookup.Unknown;
        }
    }

    /// <summary>The "name.network" of an address on one of the sandbox's networks, or null.</summary>
    public string? ResolveReverse(DnsSandbox sandbox, uint ip)
    {
        lock (_lock)
        {
            foreach (var n in sandbox.Networks)
            {
                if (_zones.TryGetValue(n.NetworkId, out var zone) && zone.Reverse.TryGetValue(ip, out var name))
                {
                    return name;
                }
            }

            return null;
        }
    }

    private DnsLookup ResolveIn(DnsSandbox sandbox, string req, string? networkName)
    {
        foreach (var n in sandbox.Networks)
        {
            if (networkName is not null && !string.Equals(networkName, n.NetworkName, StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            if (n.LinkAliases.TryGetValue(req, out var target) && _zones.TryGetValue(n.NetworkId, out var zone) && zone.Names.TryGetValue(target, out var e))
            {
                return new DnsLookup(e.Next(), true);
            }
        }

        foreach (var n in sandbox.Networks)
        {
            if ((networkName is not null && !string.Equals(networkName, n.NetworkName, StringComparison.OrdinalIgnoreCase)) || n.LinkAliases.ContainsKey(req))
            {
                continue;
            }

            if (_zones.TryGetValue(n.NetworkId, out var zone) && zone.Names.TryGetValue(req, out var e))
            {
                return new DnsLookup(e.Next(), true);
            }
        }

        return DnsLookup.Unknown;
    }

    private static void Unregister(Zone zone, string endpointId)
    {
        if (!zone.Endpoints.Remove(endpointId, out var old))
        {
            return;
        }

        foreach (var n in old.Names)
        {
            if (zone.Names.TryGetValue(n, out var entry))
            {
                entry.Records.RemoveAll(r => r.EndpointId == endpointId);
                if (entry.Records.Count == 0)
                {
                    zone.Names.Remove(n);
                }
            }
        }

        if (zone.Reverse.TryGetValue(old.Ip, out var rev) && old.Names.Count > 0 && rev == $"{old.Names[0]}.{zone.Name}")
        {
            zone.Reverse.Remove(old.Ip);
        }
    }

    private sealed class Zone(string name)
    {
        public string Name { get; } = name;

        public Dictionary<string, NameEntry> Names { get; } = new(StringComparer.Ordinal);

        public Dictionary<uint, string> Reverse { get; } = [];

        public Dictionary<string, (List<string> Names, uint Ip)> Endpoints { get; } = new(StringComparer.Ordinal);
    }

    private sealed class NameEntry
    {
        private uint _turn;

        public List<(string EndpointId, uint Ip)> Records { get; } = [];

        /// <summary>All addresses, rotated by one more position on every call.</summary>
        public uint[] Next()
        {
            var n = Records.Count;
            var result = new uint[n];
            var start = n == 0 ? 0 : (int)(_turn++ % (uint)n);
            for (var i = 0; i < n; i++)
            {
                result[i] = Records[(start + i) % n].Ip;
            }

            return result;
        }
    }
}
