namespace Berth.Api.Images;

public sealed record GraphDriverData(string Name, IReadOnlyDictionary<string, string> Data);
