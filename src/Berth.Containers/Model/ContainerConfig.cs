using Berth.Core.Model;

namespace Berth.Containers.Model;

/// <summary>
/// The portable part of a container's configuration (Docker's <c>Config</c>), after the image's
/// config has been merged in. Lists that Docker distinguishes as null vs empty stay nullable so
/// that inspect shows what Docker shows.
/// </summary>
public sealed record ContainerConfig
{
    public string Hostname { get; init; } = string.Empty;

    public string Domainname { get; init; } = string.Empty;

    public string User { get; init; } = string.Empty;

    public bool AttachStdin { get; init; }

    public bool AttachStdout { get; init; }

    public bool AttachStderr { get; init; }

    /// <summary>"80/tcp", "53/udp"; null when none.</summary>
    public IReadOnlyList<string>? ExposedPorts { get; init; }

    public bool Tty { get; init; }

    public bool OpenStdin { get; init; }

    public bool StdinOnce { get; init; }

    public IReadOnlyList<string> Env { get; init; } = [];

    public IReadOnlyList<string>? Cmd { get; init; }

    public HealthConfig? Healthcheck { get; init; }

    public bool ArgsEscaped { get; init; }

    /// <summary>The image as the user named it ("busybox", "busybox:latest", an ID).</summary>
    public string Image { get; init; } = string.Empty;

    /// <summary>Anonymous volume destinations (VOLUME); null when none.</summary>
    public IReadOnlyList<string>? Volumes { get; init; }

    public string WorkingDir { get; init; } = string.Empty;

    public IReadOnlyList<string>? Entrypoint { get; init; }

    public bool NetworkDisabled { get; init; }

    public string? MacAddress { get; init; }

    public IReadOnlyList<string>? OnBuild { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public string? StopSignal { get; init; }

    public int? StopTimeout { get; init; }

    public IReadOnlyList<string>? Shell { get; init; }
}
