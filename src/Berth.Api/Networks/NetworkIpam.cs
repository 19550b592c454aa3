namespace Berth.Api.Networks;

/// <summary>IPAM section of network inspect and create.</summary>
public sealed record NetworkIpam
{
    public string? Driver { get; init; } = "default";

    /// <summary>Docker writes null for the default bridge and {} for user networks.</summary>
    public Dictionary<string, string>? Options { get; init; }

    public List<NetworkIpamConfig>? Config { get; init; } = [];
}
