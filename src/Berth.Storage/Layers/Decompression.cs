using System.IO.Compression;
using Berth.Core.Errors;

namespace Berth.Storage.Layers;

/// <summary>
/// Recognises gzip, zstd and plain tar by magic bytes (never by media type, which archives get wrong)
/// and returns a stream of the uncompressed tar. The peeked bytes are replayed, so the source may be
/// an unseekable network or archive stream.
/// </summary>
public static class Decompression
{
    private static ReadOnlySpan<byte> GzipMagic => [0x1f, 0x8b];

    private static ReadOnlySpan<byte> ZstdMagic => [0x28, 0xb5, 0x2f, 0xfd];

    private static ReadOnlySpan<byte> XzMagic => [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];

    private static ReadOnlySpan<byte> Bzip2Magic => [0x42, 0x5a, 0x68];

    public static LayerCompression Detect(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith(GzipMagic))
        {
            return LayerCompression.Gzip;
        }

        if (head.StartsWith(ZstdMagic))
        {
            return LayerCompression.Zstd;
        }

        if (head.StartsWith(XzMagic))
        {
            throw BerthException.Invalid("unsupported layer compression: xz (use gzip, zstd or an uncompressed tar)");
        }

        if (head.StartsWith(Bzip2Magic))
        {
            throw BerthException.Invalid("unsupported layer compression: bzip2 (use gzip, zstd or an uncompressed tar)");
        }

        return LayerCompression.None;
    }

    /// <summary>Wraps <paramref name="raw"/> in the right decompressor (leaving it open).</summary>
    public static async Task<(Stream Stream, LayerCompression Compression)> OpenAsync(Stream raw, CancellationToken cancellationToken)
    {
        var head = new byte[8];
        var n = 0;
        while (n < head.Length)
        {
            var r = await raw.ReadAsync(head.AsMemory(n), cancellationToken).ConfigureAwait(false);
            if (r == 0)
            {
                break;
            }

            n += r;
        }

        var kind = Detect(head.AsSpan(0, n));
        Stream replay = new PrefixedStream(head.AsMemory(0, n), raw);
        return kind switch
        {
            LayerCompression.Gzip => (new GZipStream(replay, CompressionMode.Decompress, leaveOpen: false), kind),
            LayerCompression.Zstd => (new ZstdSharp.DecompressionStream(replay, leaveOpen: false), kind),
            _ => (replay, kind),
        };
    }
}
