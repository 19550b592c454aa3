using Berth.Core.Errors;

namespace Berth.Networking.Ipam;

/// <summary>
/// Hands out the addresses of one subnet (optionally restricted to an --ip-range) like Docker's
/// default IPAM: sequentially after the last address given, wrapping around, so a just-released
/// address is not immediately reused. Network, broadcast, gateway and auxiliary addresses are
/// never handed out. Not thread-safe: the owning service serialises access.
/// </summary>
public sealed class AddressAllocator
{
    private readonly HashSet<uint> _used = [];
    private readonly HashSet<uint> _reserved = [];
    private readonly uint _first;
    private readonly uint _last;
    private uint _cursor;

    public AddressAllocator(Ipv4Subnet subnet, Ipv4Subnet? range, IEnumerable<uint> reserved)
    {
        Subnet = subnet;
        var r = range ?? subnet;
        // /31 and /32 have no network/broadcast addresses to skip.
        _first = r.PrefixLength >= 31 ? r.Network : Math.Max(r.Network, subnet.Network + 1);
        _last = r.PrefixLength >= 31 ? r.Broadcast : Math.Min(r.Broadcast, subnet.Broadcast - 1);
        if (subnet.PrefixLength < 31)
        {
            _reserved.Add(subnet.Network);
            _reserved.Add(subnet.Broadcast);
        }

        foreach (var a in reserved)
        {
            _reserved.Add(a);
        }

        _cursor = _first - 1;
    }

    public Ipv4Subnet Subnet { get; }

    public int InUse => _used.Count;

    /// <summary>The next free address after the last one given; null when the range is exhausted.</summary>
    public uint? TryAllocate()
    {
        if (_last < _first)
        {
            return null;
        }

        var span = (ulong)_last - _first + 1;
        var candidate = _cursor;
        for (ulong i = 0; i < span; i++)
        {
            candidate = candidate >= _last || candidate < _first ? _first : candidate + 1;
            if (!_used.Contains(candidate) && !_reserved.Contains(candidate))
            {
                _used.Add(candidate);
                _cursor = candidate;
                return candidate;
            }
        }

        return null;
    }

    /// <summary>Takes a specific address (--ip); it may lie outside --ip-range but must be in the subnet.</summary>
    public void Reserve(uint ip)
    {
        if (!Subnet.Contains(ip))
        {
            throw BerthException.Invalid($"Invalid address {Ipv4.Format(ip)}: It does not belong to any of this network's subnets");
        }

        if (_used.Contains(ip) || _reserved.Contains(ip))
        {
            throw new BerthException(ErrorKind.Forbidden, "Address already in use");
        }

        _used.Add(ip);
    }

    /// <summary>Marks an address as used when restoring state; no checks, no cursor movement.</summary>
    public void Restore(uint ip) => _used.Add(ip);

    public void Release(uint ip) => _used.Remove(ip);

    public bool IsUsed(uint ip) => _used.Contains(ip);
}
