using System.Text.Json.Serialization;

namespace Berth.Api.Containers;

/// <summary>GET /containers/{id}/stats (Docker's snake_case shape).</summary>
public sealed class ContainerStatsResponse
{
    [JsonPropertyName("name")]
    public required string Name { get; init; }

    [JsonPropertyName("id")]
    public required string Id { get; init; }

    [JsonPropertyName("read")]
    public required string Read { get; init; }

    [JsonPropertyName("preread")]
    public required string PreRead { get; init; }

    [JsonPropertyName("pids_stats")]
    public required PidsStats PidsStats { get; init; }

    [JsonPropertyName("blkio_stats")]
    public required BlkioStats BlkioStats { get; init; }

    [JsonPropertyName("num_procs")]
    public int NumProcs { get; init; }

    [JsonPropertyName("storage_stats")]
    public EmptyObject StorageStats { get; init; } = EmptyObject.Instance;

    [JsonPropertyName("cpu_stats")]
    public required CpuStats CpuStats { get; init; }

    [JsonPropertyName("precpu_stats")]
    public required CpuStats PreCpuStats { get; init; }

    [JsonPropertyName("memory_stats")]
    public required MemoryStats MemoryStats { get; init; }

    [JsonPropertyName("networks")]
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyDictionary<string, NetworkStats>? Networks { get; init; }
}
