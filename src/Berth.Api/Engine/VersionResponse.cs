namespace Berth.Api.Engine;

public sealed record VersionResponse
{
    public VersionPlatform Platform { get; init; } = new("Berth Engine");

    public IReadOnlyList<VersionComponent> Components { get; init; } = [];

    public required string Version { get; init; }

    public string ApiVersion { get; init; } = ApiVersions.Current;

    public string MinAPIVersion { get; init; } = ApiVersions.Minimum;

    public string GitCommit { get; init; } = string.Empty;

    public string GoVersion { get; init; } = string.Empty;

    public string Os { get; init; } = "linux";

    public string Arch { get; init; } = "amd64";

    public string KernelVersion { get; init; } = string.Empty;

    public string BuildTime { get; init; } = string.Empty;
}

public sealed record VersionPlatform(string Name);

public sealed record VersionComponent(string Name, string Version, IReadOnlyDictionary<string, string>? Details);
