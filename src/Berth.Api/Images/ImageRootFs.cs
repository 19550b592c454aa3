namespace Berth.Api.Images;

public sealed record ImageRootFs(string Type, IReadOnlyList<string> Layers);
