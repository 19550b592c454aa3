namespace Berth.Api.Containers;

public sealed class LogConfig
{
    public string? Type { get; init; }

    public Dictionary<string, string>? Config { get; init; }
}
