namespace Berth.Containers.Model;

/// <summary>Cgroup limits of a container (the <c>Resources</c> part of HostConfig Berth implements).</summary>
public sealed record ResourceSpec
{
    public long CpuShares { get; init; }

    public long Memory { get; init; }

    public string CgroupParent { get; init; } = string.Empty;

    public ushort BlkioWeight { get; init; }

    public IReadOnlyList<Berth.Runtime.BlkioDeviceWeight> BlkioWeightDevice { get; init; } = [];

    public IReadOnlyList<Berth.Runtime.BlkioDeviceRate> BlkioDeviceReadBps { get; init; } = [];

    public IReadOnlyList<Berth.Runtime.BlkioDeviceRate> BlkioDeviceWriteBps { get; init; } = [];

    public IReadOnlyList<Berth.Runtime.BlkioDeviceRate> BlkioDeviceReadIOps { get; init; } = [];

    public IReadOnlyList<Berth.Runtime.BlkioDeviceRate> BlkioDeviceWriteIOps { get; init; } = [];

    /// <summary>--device-cgroup-rule values; null when none were given (Docker shows null).</summary>
    public IReadOnlyList<string>? DeviceCgroupRules { get; init; }

    public long CpuPeriod { get; init; }

    public long CpuQuota { get; init; }

    public string CpusetCpus { get; init; } = string.Empty;

    public string CpusetMems { get; init; } = string.Empty;

    public IReadOnlyList<DeviceMapping> Devices { get; init; } = [];

    public long MemoryReservation { get; init; }

    /// <summary>0 = default (twice Memory when Memory is set), -1 = unlimited.</summary>
    public long MemorySwap { get; init; }

    public long? MemorySwappiness { get; init; }

    public long NanoCpus { get; init; }

    public bool? OomKillDisable { get; init; }

    /// <summary>null = unlimited (Docker normalises 0 and negatives to null).</summary>
    public long? PidsLimit { get; init; }

    /// <summary>The container's own --ulimit values (daemon defaults are merged in at start, as Docker does).</summary>
    public IReadOnlyList<Berth.Core.Model.Ulimit> Ulimits { get; init; } = [];
}
