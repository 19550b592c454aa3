using Berth.Storage.Layers;
using Berth.Storage.Snapshots;

namespace Berth.Images;

/// <summary>A layer unpacked into a staging snapshot, with what unpacking it measured.</summary>
internal sealed record UnpackedLayer(Snapshot Staging, string DiffId, long Size, LayerCompression Compression);
