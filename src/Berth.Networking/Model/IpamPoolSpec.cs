namespace Berth.Networking.Model;

/// <summary>One IPAM.Config entry: --subnet, --ip-range, --gateway, --aux-address.</summary>
public sealed record IpamPoolSpec
{
    public string? Subnet { get; init; }

    public string? IPRange { get; init; }

    public string? Gateway { get; init; }

    public IReadOnlyDictionary<string, string> AuxiliaryAddresses { get; init; } = new Dictionary<string, string>();
}
