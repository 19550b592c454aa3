using Berth.Images.Model;

namespace Berth.Images.Store;

/// <summary>An image row as read from the database at start-up.</summary>
public sealed record StoredImageRow(string Id, string? ManifestDigest, DateTimeOffset LoadedAt, DateTimeOffset? LastTagTime, IReadOnlyList<LayerBlob> Layers);
