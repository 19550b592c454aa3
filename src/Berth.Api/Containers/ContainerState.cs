using System.Text.Json.Serialization;

namespace Berth.Api.Containers;

public sealed class ContainerState
{
    public required string Status { get; init; }

    public bool Running { get; init; }

    public bool Paused { get; init; }

    public bool Restarting { get; init; }

    public bool OOMKilled { get; init; }

    public bool Dead { get; init; }

    public int Pid { get; init; }

    public int ExitCode { get; init; }

    public string Error { get; init; } = string.Empty;

    public required string StartedAt { get; init; }

    public required string FinishedAt { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Health? Health { get; init; }
}
