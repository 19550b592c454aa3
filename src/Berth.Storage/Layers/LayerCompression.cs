namespace Berth.Storage.Layers;

/// <summary>How a layer blob is compressed, as told by its first bytes.</summary>
public enum LayerCompression
{
    None,
    Gzip,
    Zstd,
}
