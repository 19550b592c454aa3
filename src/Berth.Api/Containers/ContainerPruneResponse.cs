namespace Berth.Api.Containers;

public sealed record ContainerPruneResponse(IReadOnlyList<string>? ContainersDeleted, long SpaceReclaimed);
