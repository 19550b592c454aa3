using System.Text.Json.Serialization;

namespace Berth.Api.Containers;

/// <summary>One entry of GET /containers/json.</summary>
public sealed class ContainerSummary
{
    public required string Id { get; init; }

    public required IReadOnlyList<string> Names { get; init; }

    public required string Image { get; init; }

    public required string ImageID { get; init; }

    public required string Command { get; init; }

    public long Created { get; init; }

    public IReadOnlyList<PortSummary> Ports { get; init; } = [];

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? SizeRw { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? SizeRootFs { get; init; }

    public required IReadOnlyDictionary<string, string> Labels { get; init; }

    public required string State { get; init; }

    public required string Status { get; init; }

    public required SummaryHostConfig HostConfig { get; init; }

    public required SummaryNetworkSettings NetworkSettings { get; init; }

    public required IReadOnlyList<MountPoint> Mounts { get; init; }
}
