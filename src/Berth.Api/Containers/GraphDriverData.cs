namespace Berth.Api.Containers;

public sealed record GraphDriverData(IReadOnlyDictionary<string, string> Data, string Name);
