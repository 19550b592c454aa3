namespace Berth.Storage.Snapshots;

public enum SnapshotKind
{
    /// <summary>Being unpacked; not visible to anyone; removed at start-up if a crash left it.</summary>
    Staging,

    /// <summary>An immutable layer, keyed by its chain ID, shared by every image that has it.</summary>
    Committed,

    /// <summary>A container's writable upper/work directories on top of a committed chain.</summary>
    Active,
}
