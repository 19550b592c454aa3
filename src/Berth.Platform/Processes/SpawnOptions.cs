namespace Berth.Platform.Processes;

/// <summary>What to start with <see cref="Spawn.Start"/>.</summary>
public sealed record SpawnOptions
{
    public required string Path { get; init; }

    public IReadOnlyList<string> Args { get; init; } = [];

    /// <summary>"KEY=value" entries; null = inherit the current environment.</summary>
    public IReadOnlyList<string>? Environment { get; init; }

    /// <summary>Child fd number → parent fd to dup onto it. Every other descriptor is closed in the child.</summary>
    public IReadOnlyList<(int Target, int Source)> Fds { get; init; } = [];

    /// <summary>Start the child in its own session (setsid) so terminal and group signals of the parent do not reach it.</summary>
    public bool NewSession { get; init; }
}
