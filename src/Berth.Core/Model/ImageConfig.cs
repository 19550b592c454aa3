namespace Berth.Core.Model;

/// <summary>
/// The runnable part of an image's configuration (the "config" object of the OCI/Docker image
/// config). Containers start from it; the create request's values override it field by field.
/// </summary>
public sealed record ImageConfig
{
    public string? User { get; init; }

    /// <summary>"80/tcp", "53/udp", ...</summary>
    public IReadOnlyList<string> ExposedPorts { get; init; } = [];

    public IReadOnlyList<string> Env { get; init; } = [];

    public IReadOnlyList<string>? Entrypoint { get; init; }

    public IReadOnlyList<string>? Cmd { get; init; }

    /// <summary>Container paths declared by VOLUME.</summary>
    public IReadOnlyList<string> Volumes { get; init; } = [];

    public string? WorkingDir { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public string? StopSignal { get; init; }

    public HealthConfig? Healthcheck { get; init; }

    public IReadOnlyList<string>? OnBuild { get; init; }

    public IReadOnlyList<string>? Shell { get; init; }

    public bool ArgsEscaped { get; init; }
}
