namespace Berth.Api.Images;

public sealed record ImagesPruneResponse(IReadOnlyList<ImageDeleteResponseItem>? ImagesDeleted, long SpaceReclaimed);
