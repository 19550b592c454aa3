namespace Berth.Platform.Cgroups;

/// <summary>One sample of a cgroup's counters, the same shape for cgroup v1 and v2.</summary>
public sealed record CgroupStats
{
    public ulong CpuTotalNanos { get; init; }

    public ulong CpuUserNanos { get; init; }

    public ulong CpuSystemNanos { get; init; }

    public IReadOnlyList<ulong> PerCpuNanos { get; init; } = [];

    public ulong MemoryUsage { get; init; }

    public ulong MemoryLimit { get; init; }

    public ulong MemoryMaxUsage { get; init; }

    public IReadOnlyDictionary<string, ulong> MemoryStats { get; init; } = new Dictionary<string, ulong>();

    public ulong PidsCurrent { get; init; }

    public ulong PidsLimit { get; init; }

    public ulong BlkioReadBytes { get; init; }

    public ulong BlkioWriteBytes { get; init; }
}
