namespace Berth.Images;

/// <summary>POST /images/create?fromSrc=-: the body is a root filesystem tar (optionally compressed).</summary>
public sealed record ImportRequest
{
    /// <summary>Target name ("repo" or "repo:tag"); null for an untagged image.</summary>
    public string? Repo { get; init; }

    public string? Tag { get; init; }

    /// <summary>Dockerfile instructions (-c/--change).</summary>
    public IReadOnlyList<string> Changes { get; init; } = [];

    public string? Message { get; init; }

    /// <summary>"os[/arch[/variant]]"; default: this host's.</summary>
    public string? Platform { get; init; }

    /// <summary>Where the tar came from ("-" for the request body), for the history comment.</summary>
    public string Source { get; init; } = "-";
}
