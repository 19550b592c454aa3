using System.IO.Compression;
using Berth.Core.Errors;
using Berth.Storage.Layers;

namespace Berth.Tests.Unit.Storage;

public sealed class ExpansionGuardTests
{
    private static byte[] Gzip(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gz.Write(data);
        }

        return ms.ToArray();
    }

    private static long Expand(byte[] compressed, ExpansionLimit limit)
    {
        var raw = new MemoryStream(compressed);
        using var gz = new GZipStream(raw, CompressionMode.Decompress);
        using var guard = new ExpansionGuardStream(gz, () => raw.Position, limit);
        var buf = new byte[64 * 1024];
        long total = 0;
        int n;
        while ((n = guard.Read(buf)) > 0)
        {
            total += n;
        }

        return total;
    }

    [Fact]
    public void A_bomb_is_stopped_by_the_ratio_once_past_the_floor()
    {
        var bomb = Gzip(new byte[8 << 20]); // 8 MiB of zeros: ~8 KiB compressed, ratio ~1000
        var e = Assert.Throws<BerthException>(() => Expand(bomb, new ExpansionLimit(long.MaxValue, 250) { RatioFloor = 1 << 20 }));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Contains("layer-max-expansion-ratio", e.Message, StringComparison.Ordinal);
        Assert.Contains("decompression bomb", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_size_cap_holds_whatever_the_ratio()
    {
        var data = new byte[3 << 20];
        new Random(7).NextBytes(data); // incompressible: ratio ~1
        var e = Assert.Throws<BerthException>(() => Expand(Gzip(data), new ExpansionLimit(2 << 20, 250)));
        Assert.Contains("more than 2097152 bytes (daemon.json layer-max-expanded-size)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Ordinary_and_small_compressible_layers_pass_the_defaults()
    {
        Assert.Equal(8 << 20, Expand(Gzip(new byte[8 << 20]), ExpansionLimit.Default)); // under the 256 MiB floor
        var text = System.Text.Encoding.ASCII.GetBytes(string.Concat(Enumerable.Range(0, 200_000).Select(i => $"line {i}\n")));
        Assert.Equal(text.Length, Expand(Gzip(text), new ExpansionLimit(long.MaxValue, 250) { RatioFloor = 0 }));
    }
}
