namespace Berth.Volumes;

public sealed record VolumePruneResult(IReadOnlyList<string> Deleted, long SpaceReclaimed);
