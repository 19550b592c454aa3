namespace Berth.Api.Volumes;

public sealed record VolumeListResponse(IReadOnlyList<Volume> Volumes, IReadOnlyList<string> Warnings);
