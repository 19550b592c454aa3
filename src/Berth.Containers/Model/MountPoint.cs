namespace Berth.Containers.Model;

/// <summary>A resolved mount of a container as inspect and ps show it (Docker's MountPoint).</summary>
public sealed record MountPoint
{
    public required string Type { get; init; }

    public string Name { get; init; } = string.Empty;

    public string Source { get; init; } = string.Empty;

    public required string Destination { get; init; }

    public string Driver { get; init; } = string.Empty;

    public string Mode { get; init; } = string.Empty;

    public bool RW { get; init; } = true;

    public string Propagation { get; init; } = string.Empty;

    /// <summary>Mount options for the runtime (tmpfs size/mode, bind flags).</summary>
    public IReadOnlyList<string> Options { get; init; } = [];
}
