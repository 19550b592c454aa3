namespace Berth.Api.Containers;

public sealed record ContainerCreateResponse(string Id, IReadOnlyList<string> Warnings);
