using System.Text.Json;

namespace Berth.Api.Volumes;

/// <summary>POST /volumes/create body.</summary>
public sealed record VolumeCreateOptions
{
    public string? Name { get; init; }

    public string? Driver { get; init; }

    public Dictionary<string, string>? DriverOpts { get; init; }

    public Dictionary<string, string>? Labels { get; init; }

    /// <summary>Swarm cluster volumes: refused (no swarm CSI support).</summary>
    public JsonElement? ClusterVolumeSpec { get; init; }
}
