namespace Berth.Api.Exec;

/// <summary>GET /exec/{id}/json.</summary>
public sealed class ExecInspectResponse
{
    public bool CanRemove { get; init; }

    public required string ContainerID { get; init; }

    public string DetachKeys { get; init; } = string.Empty;

    public int? ExitCode { get; init; }

    public required string ID { get; init; }

    public bool OpenStderr { get; init; }

    public bool OpenStdin { get; init; }

    public bool OpenStdout { get; init; }

    public required ProcessConfig ProcessConfig { get; init; }

    public bool Running { get; init; }

    public int Pid { get; init; }
}
