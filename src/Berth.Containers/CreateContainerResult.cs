namespace Berth.Containers;

public sealed record CreateContainerResult(string Id, IReadOnlyList<string> Warnings);
