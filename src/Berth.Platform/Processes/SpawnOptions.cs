namespace Berth.Platform.Processes;

/// <summary>What to start with <see cref="Spawn.Start"/>.</summary>
public sealed record SpawnOptions
{
    public required string Path { get; init; }

    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>argv[0] as the program sees it; null = <see cref="Path"/>.</summary>
    public string? ArgumentZero { get; init; }

    /// <summary>"KEY=value" entries; null = inherit the current environment.</summary>
    public IReadOnlyList<string>? Environment { get; init; }

    /// <summary>Child fd number → parent fd to dup onto it. Every other descriptor is closed in the child.</summary>
    public IReadOnlyList<(int Target, int Source)> Fds { get; init; } = [];

    /// <summary>Start the child in its own session (setsid) so terminal and group signals of the parent do not reach it.</summary>
    public bool NewSession { get; init; }

    /// <summary>
    /// A terminal the child opens as fds 0–2 after <see cref="NewSession"/> made it a session
    /// leader, which makes the terminal its controlling one. The path resolves in the child's
    /// root. Used instead of <see cref="Fds"/>.
    /// </summary>
    public string? TerminalPath { get; init; }
}
