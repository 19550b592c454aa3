namespace Berth.Images;

public sealed record PruneResult(IReadOnlyList<DeleteResponseItem> ImagesDeleted, long SpaceReclaimed);
