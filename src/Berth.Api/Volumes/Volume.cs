namespace Berth.Api.Volumes;

/// <summary>Docker's Volume object (GET /volumes/{name}, entries of GET /volumes).</summary>
public sealed record Volume
{
    public required string Name { get; init; }

    public required string Driver { get; init; }

    public required string Mountpoint { get; init; }

    /// <summary>RFC 3339 with the local offset, as Docker prints it.</summary>
    public string? CreatedAt { get; init; }

    public Dictionary<string, string>? Labels { get; init; }

    public string Scope { get; init; } = "local";

    public Dictionary<string, string>? Options { get; init; }

    public VolumeUsageData? UsageData { get; init; }
}
