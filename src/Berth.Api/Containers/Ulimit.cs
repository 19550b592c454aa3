namespace Berth.Api.Containers;

/// <summary>HostConfig.Ulimits entry: {"Name":"nofile","Hard":2048,"Soft":1024}; -1 = unlimited.</summary>
public sealed record Ulimit
{
    public string Name { get; init; } = string.Empty;

    public long Hard { get; init; }

    public long Soft { get; init; }
}
