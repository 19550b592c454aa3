using System.Globalization;

namespace Berth.Storage.Layers;

/// <summary>
/// How far a compressed layer may expand before unpacking is refused (a gzip or zstd bomb: a few
/// MiB that decompress to GiBs and fill the disk). Two caps, set in daemon.json:
/// <list type="bullet">
/// <item><c>layer-max-expanded-size</c>: uncompressed bytes of one layer (default 64 GiB; the
/// largest layers of real images, CUDA and model images, are around 10–20 GiB).</item>
/// <item><c>layer-max-expansion-ratio</c>: uncompressed bytes per compressed byte (default 250),
/// checked only once a layer has expanded past <see cref="RatioFloor"/> (256 MiB), so small,
/// very compressible layers (empty files, zero-filled images) are never refused. Real layers
/// compress 2–10 times; gzip cannot exceed ~1030, so a gzip bomb exceeds 250 quickly.</item>
/// </list>
/// </summary>
public sealed record ExpansionLimit(long MaxExpandedBytes, double MaxRatio)
{
    /// <summary>Below this many uncompressed bytes the ratio is not checked.</summary>
    public long RatioFloor { get; init; } = 256L << 20;

    public static ExpansionLimit Default { get; } = new(64L << 30, 250);

    /// <summary>Nothing is refused (tests of other things, trusted callers).</summary>
    public static ExpansionLimit None { get; } = new(long.MaxValue, double.PositiveInfinity);

    /// <summary>The error for a layer that expanded past a cap, or null while it is within both.</summary>
    public string? Check(long compressedBytes, long expandedBytes)
    {
        if (expandedBytes > MaxExpandedBytes)
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"layer expands to more than {MaxExpandedBytes} bytes (daemon.json layer-max-expanded-size): refusing what looks like a decompression bomb");
        }

        if (expandedBytes > RatioFloor && expandedBytes > MaxRatio * Math.Max(compressedBytes, 1))
        {
            return string.Create(CultureInfo.InvariantCulture,
                $"layer expands more than {MaxRatio} times its compressed size ({compressedBytes} compressed bytes gave over {expandedBytes}; daemon.json layer-max-expansion-ratio): refusing what looks like a decompression bomb");
        }

        return null;
    }
}
