using System.Globalization;

namespace Berth.Networking.Ipam;

/// <summary>An IPv4 network in CIDR form, normalised to its network address.</summary>
public readonly record struct Ipv4Subnet(uint Network, int PrefixLength)
{
    public uint Mask => PrefixLength == 0 ? 0 : uint.MaxValue << (32 - PrefixLength);

    public uint Broadcast => Network | ~Mask;

    public ulong Size => 1UL << (32 - PrefixLength);

    /// <summary>Parses "a.b.c.d/n"; host bits are cleared (Docker stores the network address).</summary>
    public static Ipv4Subnet Parse(string cidr) =>
        TryParse(cidr, out var s) ? s : throw new FormatException($"invalid CIDR address: {cidr}");

    public static bool TryParse(string? cidr, out Ipv4Subnet subnet)
    {
        subnet = default;
        if (cidr is null)
        {
            return false;
        }

        var slash = cidr.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0
            || !Ipv4.TryParse(cidr[..slash], out var ip)
            || !int.TryParse(cidr.AsSpan(slash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var prefix)
            || prefix > 32)
        {
            return false;
        }

        var mask = prefix == 0 ? 0 : uint.MaxValue << (32 - prefix);
        subnet = new Ipv4Subnet(ip & mask, prefix);
        return true;
    }

    /// <summary>True when the text's address has host bits set (e.g. "10.0.0.1/24").</summary>
    public static bool HasHostBits(string cidr) =>
        TryParse(cidr, out var s) && Ipv4.TryParse(cidr[..cidr.IndexOf('/', StringComparison.Ordinal)], out var ip) && ip != s.Network;

    public bool Contains(uint ip) => (ip & Mask) == Network;

    public bool Contains(Ipv4Subnet other) => other.PrefixLength >= PrefixLength && Contains(other.Network);

    public bool Overlaps(Ipv4Subnet other) => Contains(other.Network) || other.Contains(Network);

    public override string ToString() => $"{Ipv4.Format(Network)}/{PrefixLength.ToString(CultureInfo.InvariantCulture)}";
}
