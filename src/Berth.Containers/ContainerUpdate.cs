using Berth.Containers.Model;

namespace Berth.Containers;

/// <summary>POST /containers/{id}/update in engine terms: new resource values (null = unchanged) and restart policy.</summary>
public sealed record ContainerUpdate
{
    public long? CpuShares { get; init; }

    public long? Memory { get; init; }

    public long? MemorySwap { get; init; }

    public long? MemoryReservation { get; init; }

    public long? NanoCpus { get; init; }

    public long? CpuPeriod { get; init; }

    public long? CpuQuota { get; init; }

    public string? CpusetCpus { get; init; }

    public string? CpusetMems { get; init; }

    public long? PidsLimit { get; init; }

    public ushort? BlkioWeight { get; init; }

    public RestartPolicy? RestartPolicy { get; init; }
}
