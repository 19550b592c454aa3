namespace Berth.Api.Build;

/// <summary>POST /build/prune: the IDs of the cache records removed and the bytes they held.</summary>
public sealed record BuildCachePruneResponse(IReadOnlyList<string> CachesDeleted, long SpaceReclaimed);
