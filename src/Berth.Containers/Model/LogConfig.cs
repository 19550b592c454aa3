namespace Berth.Containers.Model;

/// <summary>Log driver ("json-file", "local", "none") and its options (max-size, max-file, ...).</summary>
public sealed record LogConfig
{
    public string Type { get; init; } = "json-file";

    public IReadOnlyDictionary<string, string> Config { get; init; } = new Dictionary<string, string>();
}
