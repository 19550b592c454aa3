namespace Berth.Api.Containers;

public sealed record ContainerUpdateResponse(IReadOnlyList<string> Warnings);
