namespace Berth.Containers.Model;

/// <summary>One entry of HostConfig.Mounts (--mount): bind or tmpfs (volumes belong to the volume service).</summary>
public sealed record MountSpec
{
    /// <summary>"bind", "tmpfs" or "volume".</summary>
    public required string Type { get; init; }

    public string Source { get; init; } = string.Empty;

    public required string Target { get; init; }

    public bool ReadOnly { get; init; }

    /// <summary>Bind propagation ("rprivate", "rshared", ...); empty = default.</summary>
    public string BindPropagation { get; init; } = string.Empty;

    public bool BindNonRecursive { get; init; }

    public bool VolumeNoCopy { get; init; }

    public IReadOnlyDictionary<string, string>? VolumeLabels { get; init; }

    /// <summary>VolumeOptions.DriverConfig.Name; empty = local.</summary>
    public string VolumeDriver { get; init; } = string.Empty;

    public IReadOnlyDictionary<string, string>? VolumeDriverOptions { get; init; }

    /// <summary>VolumeOptions.Subpath (API 1.45): mount only this directory or file of the volume; empty = the whole volume.</summary>
    public string VolumeSubpath { get; init; } = string.Empty;

    /// <summary>tmpfs size in bytes; 0 = unlimited.</summary>
    public long TmpfsSizeBytes { get; init; }

    /// <summary>tmpfs mode bits; 0 = default (1777).</summary>
    public int TmpfsMode { get; init; }
}
