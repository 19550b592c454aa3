namespace Berth.Containers.Model;

/// <summary>
/// Observed state of a container, with Docker's flags: a restarting or paused container is still
/// "Running" (its process or its restart is in progress), as Docker reports it.
/// </summary>
public sealed record ContainerState
{
    public bool Running { get; init; }

    public bool Paused { get; init; }

    public bool Restarting { get; init; }

    public bool OomKilled { get; init; }

    public bool RemovalInProgress { get; init; }

    public bool Dead { get; init; }

    public int Pid { get; init; }

    public int ExitCode { get; init; }

    public string Error { get; init; } = string.Empty;

    public DateTimeOffset? StartedAt { get; init; }

    public DateTimeOffset? FinishedAt { get; init; }

    public HealthState? Health { get; init; }

    /// <summary>Docker's state word: created, running, paused, restarting, removing, exited, dead.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public string Status => Running
        ? Paused ? ContainerStatus.Paused : Restarting ? ContainerStatus.Restarting : ContainerStatus.Running
        : RemovalInProgress ? ContainerStatus.Removing
        : Dead ? ContainerStatus.Dead
        : StartedAt is null ? ContainerStatus.Created
        : ContainerStatus.Exited;

    /// <summary>Running with a live process (not paused, not waiting to restart).</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsActive => Running && !Paused && !Restarting;
}
