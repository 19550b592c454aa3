using Berth.Core.Model;

namespace Berth.Images;

/// <summary>
/// A new image from a container's writable snapshot (docker commit). The container service fills
/// it: <see cref="Config"/> is the container's configuration (already merged over the image's),
/// to which <see cref="Changes"/> are applied.
/// </summary>
public sealed record CommitRequest
{
    /// <summary>The container's writable snapshot key (its ID).</summary>
    public required string SnapshotKey { get; init; }

    /// <summary>ID of the image the container was created from ("" when it no longer exists).</summary>
    public string ParentImageId { get; init; } = string.Empty;

    public required ImageConfig Config { get; init; }

    public IReadOnlyList<string> Changes { get; init; } = [];

    public string? Author { get; init; }

    public string? Comment { get; init; }

    /// <summary>Target name ("repo" or "repo:tag"), or null.</summary>
    public string? Repo { get; init; }

    public string? Tag { get; init; }

    /// <summary>The container's command line for the history entry ("CreatedBy").</summary>
    public string CreatedBy { get; init; } = string.Empty;
}
