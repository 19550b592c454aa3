namespace Berth.Containers.Exec;

/// <summary>POST /containers/{id}/exec in engine terms.</summary>
public sealed record ExecCreateRequest
{
    public required IReadOnlyList<string> Cmd { get; init; }

    public IReadOnlyList<string> Env { get; init; } = [];

    public string User { get; init; } = string.Empty;

    public string WorkingDir { get; init; } = string.Empty;

    public bool Tty { get; init; }

    public bool AttachStdin { get; init; }

    public bool AttachStdout { get; init; }

    public bool AttachStderr { get; init; }

    public bool Privileged { get; init; }

    public string? DetachKeys { get; init; }

    public IReadOnlyList<int>? ConsoleSize { get; init; }
}
