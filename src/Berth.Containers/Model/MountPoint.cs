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

    /// <summary>Volumes only: never copy the image's content into the volume (-v NAME:/p:nocopy, volume-nocopy).</summary>
    public bool NoCopy { get; init; }

    /// <summary>--mount volume-label: labels for a volume created by this mount.</summary>
    public IReadOnlyDictionary<string, string>? VolumeLabels { get; init; }

    /// <summary>--mount volume-opt: driver options for a volume created by this mount.</summary>
    public IReadOnlyDictionary<string, string>? VolumeDriverOptions { get; init; }

    /// <summary>
    /// --mount volume-subpath: only this path inside the volume is mounted. Resolved beneath the
    /// volume's directory at every start (the volume's content is the container's to change).
    /// </summary>
    public string VolumeSubpath { get; init; } = string.Empty;

    /// <summary>Mount options for the runtime (tmpfs size/mode, bind flags).</summary>
    public IReadOnlyList<string> Options { get; init; } = [];
}
