namespace Berth.Images.Model;

/// <summary>The stored blob of one layer: its digest, media type and size (compressed or not).</summary>
public sealed record LayerBlob(string Digest, string MediaType, long Size);
