using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Images;

public sealed class BombDaemon() : DaemonFixture("imgbomb", loadBusybox: false);

/// <summary>A layer that is a gzip bomb (2 MiB expanding to 2 GiB) is refused and leaves nothing behind.</summary>
public sealed class DecompressionBombTests(BombDaemon fixture) : IClassFixture<BombDaemon>
{
    private readonly BerthDaemon _d = fixture.Daemon;

    /// <summary>Zeros of a given length, without holding them in memory.</summary>
    private sealed class ZeroStream(long length) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => true;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => _position; set => _position = value; }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = (int)Math.Min(count, length - _position);
            Array.Clear(buffer, offset, n);
            _position += n;
            return n;
        }

        public override long Seek(long offset, SeekOrigin origin) => _position = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => length + offset,
        };

        public override void Flush()
        {
        }

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>Passes writes on and hashes them (the tar's digest is the layer's diff ID).</summary>
    private sealed class HashingWriteStream(Stream inner, IncrementalHash hash) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            hash.AppendData(buffer);
            inner.Write(buffer);
        }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }

    /// <summary>A docker-archive whose one layer is a gzip'd tar holding a 2 GiB file of zeros.</summary>
    private static byte[] BombArchive()
    {
        // A valid image in every other respect (its diff ID is right), so that only the cap stops it.
        using var layer = new MemoryStream();
        using var diffId = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using (var gz = new GZipStream(layer, CompressionLevel.Optimal, leaveOpen: true))
        using (var hashed = new HashingWriteStream(gz, diffId))
        using (var tar = new TarWriter(hashed, TarEntryFormat.Pax, leaveOpen: true))
        {
            tar.WriteEntry(new PaxTarEntry(TarEntryType.RegularFile, "zeros") { DataStream = new ZeroStream(2L << 30) });
        }

        var config = Encoding.UTF8.GetBytes("{\"architecture\":\"amd64\",\"os\":\"linux\",\"config\":{},\"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\"sha256:" + Convert.ToHexStringLower(diffId.GetHashAndReset()) + "\"]}}");
        var manifest = Encoding.UTF8.GetBytes("[{\"Config\":\"config.json\",\"RepoTags\":[\"bomb:v1\"],\"Layers\":[\"layer.tar.gz\"]}]");
        using var archive = new MemoryStream();
        using (var tar = new TarWriter(archive, TarEntryFormat.Ustar, leaveOpen: true))
        {
            foreach (var (name, data) in new[] { ("layer.tar.gz", layer.ToArray()), ("config.json", config), ("manifest.json", manifest) })
            {
                tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name) { DataStream = new MemoryStream(data) });
            }
        }

        return archive.ToArray();
    }

    [Fact]
    public async Task Loading_a_gzip_bomb_is_refused_clearly_and_keeps_nothing()
    {
        var archive = BombArchive();
        Assert.True(archive.Length < 4 << 20, $"the bomb is {archive.Length} bytes");
        var path = Path.Combine(_d.Dir, "bomb.tar");
        await File.WriteAllBytesAsync(path, archive);

        var r = await _d.DockerAsync("load", "-i", path);
        Assert.True(r.ExitCode != 0, r.ToString());
        Assert.Contains("layer expands more than 250 times its compressed size", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("refusing what looks like a decompression bomb", r.Stderr, StringComparison.Ordinal);

        Assert.Equal(string.Empty, (await _d.DockerAsync("images", "-aq")).Out);
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_d.DataRoot, "content", "ingest")));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_d.DataRoot, "content", "blobs", "sha256")));
        Assert.Empty(Directory.GetFileSystemEntries(Path.Combine(_d.DataRoot, "snapshots")));
    }
}
