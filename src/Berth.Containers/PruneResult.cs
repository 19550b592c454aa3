namespace Berth.Containers;

public sealed record PruneResult(IReadOnlyList<string> ContainersDeleted, long SpaceReclaimed);
