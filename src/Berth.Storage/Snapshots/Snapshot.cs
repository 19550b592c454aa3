namespace Berth.Storage.Snapshots;

/// <summary>
/// One snapshot: <see cref="Key"/> is the chain ID ("sha256:...") for committed layers, the container
/// key for active ones; <see cref="Parent"/> is the chain ID below it (null for a base layer).
/// Its files live in <see cref="FsPath"/> (&lt;root&gt;/&lt;id&gt;/fs); active ones also have <see cref="WorkPath"/>.
/// </summary>
public sealed record Snapshot(long Id, string Key, string? Parent, SnapshotKind Kind, string? DiffId, long Size, string Dir)
{
    public string FsPath => Path.Combine(Dir, "fs");

    public string WorkPath => Path.Combine(Dir, "work");
}
