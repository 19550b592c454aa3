using System.Collections.Concurrent;
using Berth.Core.Errors;
using Berth.Networking.Model;

namespace Berth.Networking.Ipam;

/// <summary>
/// The IPAM owner: one <see cref="AddressAllocator"/> per network with a subnet, each behind a
/// lock of its own (a leaf: held for a few set operations, never while taking another lock or
/// waiting for the kernel), so allocations on one network never wait for another. A pool is also
/// the gate between endpoints and the removal of their network: every endpoint holds an address
/// of its network's pool from the moment it is planned, and <see cref="TryClose"/> closes a pool
/// only when it lends no address, after which allocations fail as "network not found". So a
/// connect that found the network just before its removal either holds an address (and the
/// removal is refused: active endpoints) or is refused itself.
/// </summary>
public sealed class IpamPools
{
    private readonly ConcurrentDictionary<string, Pool> _pools = new(StringComparer.Ordinal);

    /// <summary>Creates (or replaces, with nothing lent) the pool of a network; networks without a subnet get none.</summary>
    public void Open(NetworkRecord network)
    {
        if (!Ipv4Subnet.TryParse(network.Subnet, out var subnet))
        {
            _pools.TryRemove(network.Id, out _);
            return;
        }

        var reserved = new List<uint> { Ipv4.Parse(network.Gateway) };
        reserved.AddRange(network.AuxiliaryAddresses.Values.Select(Ipv4.Parse));
        var range = network.IPRange is { } r ? Ipv4Subnet.Parse(r) : (Ipv4Subnet?)null;
        _pools[network.Id] = new Pool(new AddressAllocator(subnet, range, reserved));
    }

    /// <summary>Takes an address for an endpoint: <paramref name="requested"/> (--ip) or the next free one.</summary>
    public uint Allocate(NetworkRecord network, string? requested)
    {
        if (!_pools.TryGetValue(network.Id, out var pool))
        {
            // A network with a subnet loses its pool only when it is removed.
            throw Ipv4Subnet.TryParse(network.Subnet, out _)
                ? BerthException.NotFound($"network {network.Name} not found")
                : BerthException.Invalid($"network {network.Name} has no IPv4 subnet");
        }

        lock (pool.Lock)
        {
            if (pool.Closed)
            {
                throw BerthException.NotFound($"network {network.Name} not found");
            }

            if (!string.IsNullOrEmpty(requested))
            {
                var ip = Ipv4.Parse(requested);
                pool.Allocator.Reserve(ip);
                return ip;
            }

            return pool.Allocator.TryAllocate()
                ?? throw new BerthException(ErrorKind.Forbidden, $"no available IPv4 addresses on this network's address pools: {network.Name} ({network.Id})");
        }
    }

    /// <summary>Gives an endpoint's address back (no-op when the network has no pool any more).</summary>
    public void Release(string networkId, string address)
    {
        if (_pools.TryGetValue(networkId, out var pool))
        {
            lock (pool.Lock)
            {
                pool.Allocator.Release(Ipv4.Parse(address));
            }
        }
    }

    /// <summary>Marks a stored endpoint's address as lent (start-up).</summary>
    public void Restore(string networkId, string address)
    {
        if (_pools.TryGetValue(networkId, out var pool))
        {
            lock (pool.Lock)
            {
                pool.Allocator.Restore(Ipv4.Parse(address));
            }
        }
    }

    /// <summary>
    /// Closes and drops a network's pool before the network is removed: false, and the pool stays
    /// open, while an endpoint holds one of its addresses.
    /// </summary>
    public bool TryClose(string networkId)
    {
        if (!_pools.TryGetValue(networkId, out var pool))
        {
            return true;
        }

        lock (pool.Lock)
        {
            if (pool.Allocator.InUse > 0)
            {
                return false;
            }

            pool.Closed = true;
        }

        _pools.TryRemove(networkId, out _);
        return true;
    }

    /// <summary>Addresses lent to endpoints of a network (0 without a pool).</summary>
    public int InUse(string networkId)
    {
        if (!_pools.TryGetValue(networkId, out var pool))
        {
            return 0;
        }

        lock (pool.Lock)
        {
            return pool.Allocator.InUse;
        }
    }

    private sealed class Pool(AddressAllocator allocator)
    {
        public Lock Lock { get; } = new();

        public AddressAllocator Allocator { get; } = allocator;

        public bool Closed { get; set; }
    }
}
