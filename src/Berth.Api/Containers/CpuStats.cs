using System.Text.Json.Serialization;

namespace Berth.Api.Containers;

public sealed class CpuStats
{
    [JsonPropertyName("cpu_usage")]
    public required CpuUsage CpuUsage { get; init; }

    [JsonPropertyName("system_cpu_usage")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public ulong SystemCpuUsage { get; init; }

    [JsonPropertyName("online_cpus")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public int OnlineCpus { get; init; }

    [JsonPropertyName("throttling_data")]
    public ThrottlingData ThrottlingData { get; init; } = new();
}
