namespace Berth.Api.Exec;

/// <summary>POST /exec/{id}/start body.</summary>
public sealed class ExecStartRequest
{
    public bool Detach { get; init; }

    public bool Tty { get; init; }

    public List<int>? ConsoleSize { get; init; }
}
