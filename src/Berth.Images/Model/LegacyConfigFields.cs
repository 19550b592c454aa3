namespace Berth.Images.Model;

/// <summary>
/// container.Config fields that Docker-built image configs carry besides the OCI ones; Docker shows
/// them in image inspect for API versions before 1.50.
/// </summary>
public sealed record LegacyConfigFields
{
    public string Hostname { get; init; } = string.Empty;

    public string Domainname { get; init; } = string.Empty;

    public bool AttachStdin { get; init; }

    public bool AttachStdout { get; init; }

    public bool AttachStderr { get; init; }

    public bool Tty { get; init; }

    public bool OpenStdin { get; init; }

    public bool StdinOnce { get; init; }

    public string Image { get; init; } = string.Empty;
}
