namespace Berth.Networking.Ipam;

/// <summary>One entry of daemon.json's default-address-pools: a base range split into subnets of Size bits.</summary>
public sealed record AddressPool(string Base, int Size)
{
    /// <summary>Docker's defaults: 172.17-31.0.0/16 as /16s, then 192.168.0.0/16 as /20s.</summary>
    public static IReadOnlyList<AddressPool> Defaults { get; } =
    [
        .. Enumerable.Range(17, 15).Select(i => new AddressPool($"172.{i}.0.0/16", 16)),
        new AddressPool("192.168.0.0/16", 20),
    ];

    /// <summary>The subnets of all pools in order.</summary>
    public static IEnumerable<Ipv4Subnet> Enumerate(IEnumerable<AddressPool> pools)
    {
        foreach (var p in pools)
        {
            var b = Ipv4Subnet.Parse(p.Base);
            if (p.Size < b.PrefixLength || p.Size > 32)
            {
                continue;
            }

            var step = 1UL << (32 - p.Size);
            for (ulong n = b.Network; n <= b.Broadcast; n += step)
            {
                yield return new Ipv4Subnet((uint)n, p.Size);
            }
        }
    }

    /// <summary>The first pool subnet that overlaps none of <paramref name="taken"/>, or null.</summary>
    public static Ipv4Subnet? PickFree(IEnumerable<AddressPool> pools, IReadOnlyCollection<Ipv4Subnet> taken) =>
        Enumerate(pools).Cast<Ipv4Subnet?>().FirstOrDefault(s => !taken.Any(t => t.Overlaps(s!.Value)));
}
