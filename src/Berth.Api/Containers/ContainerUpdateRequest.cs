using System.Text.Json;

namespace Berth.Api.Containers;

/// <summary>POST /containers/{id}/update: Resources plus RestartPolicy; absent fields stay as they are.</summary>
public sealed class ContainerUpdateRequest
{
    public long? CpuShares { get; init; }

    public long? Memory { get; init; }

    public string? CgroupParent { get; init; }

    public ushort? BlkioWeight { get; init; }

    public List<WeightDevice>? BlkioWeightDevice { get; init; }

    public List<ThrottleDevice>? BlkioDeviceReadBps { get; init; }

    public List<ThrottleDevice>? BlkioDeviceWriteBps { get; init; }

    public List<ThrottleDevice>? BlkioDeviceReadIOps { get; init; }

    public List<ThrottleDevice>? BlkioDeviceWriteIOps { get; init; }

    public long? CpuPeriod { get; init; }

    public long? CpuQuota { get; init; }

    public long? CpuRealtimePeriod { get; init; }

    public long? CpuRealtimeRuntime { get; init; }

    public string? CpusetCpus { get; init; }

    public string? CpusetMems { get; init; }

    public List<DeviceMapping>? Devices { get; init; }

    public List<string>? DeviceCgroupRules { get; init; }

    public List<JsonElement>? DeviceRequests { get; init; }

    public long? KernelMemory { get; init; }

    public long? KernelMemoryTCP { get; init; }

    public long? MemoryReservation { get; init; }

    public long? MemorySwap { get; init; }

    public long? MemorySwappiness { get; init; }

    public long? NanoCpus { get; init; }

    public bool? OomKillDisable { get; init; }

    public bool? Init { get; init; }

    public long? PidsLimit { get; init; }

    public List<JsonElement>? Ulimits { get; init; }

    public long? CpuCount { get; init; }

    public long? CpuPercent { get; init; }

    public ulong? IOMaximumIOps { get; init; }

    public ulong? IOMaximumBandwidth { get; init; }

    public RestartPolicy? RestartPolicy { get; init; }
}
