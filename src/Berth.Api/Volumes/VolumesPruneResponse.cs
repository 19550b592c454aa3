namespace Berth.Api.Volumes;

public sealed record VolumesPruneResponse(IReadOnlyList<string>? VolumesDeleted, long SpaceReclaimed);
