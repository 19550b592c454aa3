namespace Berth.Networking.Dns;

/// <summary>Outcome of a local lookup: addresses (rotated), known-but-no-such-record (AAAA of a container), or unknown.</summary>
public readonly record struct DnsLookup(uint[]? Addresses, bool KnownName)
{
    public static DnsLookup Unknown => default;
}
