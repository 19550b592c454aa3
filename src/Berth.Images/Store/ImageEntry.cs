using Berth.Images.Model;

namespace Berth.Images.Store;

/// <summary>An image as held in memory: identity, parsed config, stored layer blobs and chain.</summary>
public sealed record ImageEntry
{
    /// <summary>"sha256:..." — the digest of the config bytes as stored.</summary>
    public required string Id { get; init; }

    public required ParsedConfig Parsed { get; init; }

    public required IReadOnlyList<LayerBlob> Layers { get; init; }

    /// <summary>Chain ID of each layer prefix, base first; the last one is the image's top snapshot.</summary>
    public required IReadOnlyList<string> ChainIds { get; init; }

    public string? ManifestDigest { get; init; }

    /// <summary>When this engine stored the image.</summary>
    public DateTimeOffset LoadedAt { get; init; }

    public DateTimeOffset? LastTagTime { get; init; }

    /// <summary>Unpacked size of all layers.</summary>
    public long Size { get; init; }

    public long ConfigSize { get; init; }

    public string TopChainId => ChainIds.Count == 0 ? string.Empty : ChainIds[^1];
}
