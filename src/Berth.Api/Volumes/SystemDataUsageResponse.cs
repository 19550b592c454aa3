using Berth.Api.Containers;
using Berth.Api.Images;

namespace Berth.Api.Volumes;

/// <summary>GET /system/df (Docker's types.DiskUsage).</summary>
public sealed record SystemDataUsageResponse
{
    public long LayersSize { get; init; }

    public IReadOnlyList<ImageSummary> Images { get; init; } = [];

    public IReadOnlyList<ContainerSummary> Containers { get; init; } = [];

    public IReadOnlyList<Volume> Volumes { get; init; } = [];

    public IReadOnlyList<System.Text.Json.JsonElement> BuildCache { get; init; } = [];
}
