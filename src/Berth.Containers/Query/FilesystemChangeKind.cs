namespace Berth.Containers.Query;

/// <summary>Docker's change kinds (numbers as on the wire).</summary>
public enum FilesystemChangeKind
{
    Modified = 0,
    Added = 1,
    Deleted = 2,
}
