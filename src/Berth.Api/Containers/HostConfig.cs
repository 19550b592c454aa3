using System.Text.Json;
using System.Text.Json.Serialization;

namespace Berth.Api.Containers;

/// <summary>Docker's HostConfig (create request and inspect). Options Berth does not implement are kept loosely typed so that the mapper can refuse them when set.</summary>
public sealed class HostConfig
{
    public List<string>? Binds { get; init; }

    public string? ContainerIDFile { get; init; }

    public LogConfig? LogConfig { get; init; }

    public string? NetworkMode { get; init; }

    public Dictionary<string, List<PortBinding>?>? PortBindings { get; init; }

    public RestartPolicy? RestartPolicy { get; init; }

    public bool AutoRemove { get; init; }

    public string? VolumeDriver { get; init; }

    public List<string>? VolumesFrom { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<Mount>? Mounts { get; init; }

    public List<int>? ConsoleSize { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, string>? Annotations { get; init; }

    public List<string>? CapAdd { get; init; }

    public List<string>? CapDrop { get; init; }

    public string? CgroupnsMode { get; init; }

    public List<string>? Dns { get; init; }

    public List<string>? DnsOptions { get; init; }

    public List<string>? DnsSearch { get; init; }

    public List<string>? ExtraHosts { get; init; }

    public List<string>? GroupAdd { get; init; }

    public string? IpcMode { get; init; }

    public string? Cgroup { get; init; }

    public List<string>? Links { get; init; }

    public int OomScoreAdj { get; init; }

    public string? PidMode { get; init; }

    public bool Privileged { get; init; }

    public bool PublishAllPorts { get; init; }

    public bool ReadonlyRootfs { get; init; }

    public List<string>? SecurityOpt { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, string>? StorageOpt { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, string>? Tmpfs { get; init; }

    public string? UTSMode { get; init; }

    public string? UsernsMode { get; init; }

    public long ShmSize { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public Dictionary<string, string>? Sysctls { get; init; }

    public string? Runtime { get; init; }

    public string? Isolation { get; init; }

    public long CpuShares { get; init; }

    public long Memory { get; init; }

    public long NanoCpus { get; init; }

    public string? CgroupParent { get; init; }

    public ushort BlkioWeight { get; init; }

    public List<WeightDevice>? BlkioWeightDevice { get; init; }

    public List<ThrottleDevice>? BlkioDeviceReadBps { get; init; }

    public List<ThrottleDevice>? BlkioDeviceWriteBps { get; init; }

    public List<ThrottleDevice>? BlkioDeviceReadIOps { get; init; }

    public List<ThrottleDevice>? BlkioDeviceWriteIOps { get; init; }

    public long CpuPeriod { get; init; }

    public long CpuQuota { get; init; }

    public long CpuRealtimePeriod { get; init; }

    public long CpuRealtimeRuntime { get; init; }

    public string? CpusetCpus { get; init; }

    public string? CpusetMems { get; init; }

    public List<DeviceMapping>? Devices { get; init; }

    public List<string>? DeviceCgroupRules { get; init; }

    public List<JsonElement>? DeviceRequests { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long KernelMemory { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public long KernelMemoryTCP { get; init; }

    public long MemoryReservation { get; init; }

    public long MemorySwap { get; init; }

    public long? MemorySwappiness { get; init; }

    public bool? OomKillDisable { get; init; }

    public long? PidsLimit { get; init; }

    public List<Ulimit>? Ulimits { get; init; }

    public long CpuCount { get; init; }

    public long CpuPercent { get; init; }

    public ulong IOMaximumIOps { get; init; }

    public ulong IOMaximumBandwidth { get; init; }

    public List<string>? MaskedPaths { get; init; }

    public List<string>? ReadonlyPaths { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public bool? Init { get; init; }
}
