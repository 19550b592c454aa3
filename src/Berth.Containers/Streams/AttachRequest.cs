namespace Berth.Containers.Streams;

/// <summary>POST /containers/{id}/attach: which streams, whether to replay the log first, and the detach keys.</summary>
public sealed record AttachRequest
{
    public bool Logs { get; init; }

    public bool Stream { get; init; }

    public bool Stdin { get; init; }

    public bool Stdout { get; init; }

    public bool Stderr { get; init; }

    public string? DetachKeys { get; init; }
}
