using System.Text.Json.Serialization;

namespace Berth.Api.Containers;

public sealed class MountPoint
{
    public required string Type { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Name { get; init; }

    public string Source { get; init; } = string.Empty;

    public required string Destination { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? Driver { get; init; }

    public string Mode { get; init; } = string.Empty;

    public bool RW { get; init; }

    public string Propagation { get; init; } = string.Empty;
}
