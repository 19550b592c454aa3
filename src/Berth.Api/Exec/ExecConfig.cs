namespace Berth.Api.Exec;

/// <summary>POST /containers/{id}/exec body.</summary>
public sealed class ExecConfig
{
    public bool AttachStdin { get; init; }

    public bool AttachStdout { get; init; }

    public bool AttachStderr { get; init; }

    public List<int>? ConsoleSize { get; init; }

    public string? DetachKeys { get; init; }

    public bool Tty { get; init; }

    public List<string>? Env { get; init; }

    [System.Text.Json.Serialization.JsonConverter(typeof(Berth.Api.Containers.StrSliceConverter))]
    public List<string>? Cmd { get; init; }

    public bool Privileged { get; init; }

    public string? User { get; init; }

    public string? WorkingDir { get; init; }
}
