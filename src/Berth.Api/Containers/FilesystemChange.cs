namespace Berth.Api.Containers;

/// <summary>One entry of GET /containers/{id}/changes: Kind 0 modified, 1 added, 2 deleted.</summary>
public sealed record FilesystemChange(string Path, int Kind);
