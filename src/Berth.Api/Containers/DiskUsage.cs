using System.Text.Json;

namespace Berth.Api.Containers;

/// <summary>GET /system/df (the shape docker system df reads up to API 1.51).</summary>
public sealed class DiskUsage
{
    public long LayersSize { get; init; }

    public required IReadOnlyList<Berth.Api.Images.ImageSummary> Images { get; init; }

    public required IReadOnlyList<ContainerSummary> Containers { get; init; }

    public IReadOnlyList<JsonElement> Volumes { get; init; } = [];

    public IReadOnlyList<JsonElement> BuildCache { get; init; } = [];
}
