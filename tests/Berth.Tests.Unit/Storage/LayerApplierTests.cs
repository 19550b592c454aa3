using System.Formats.Tar;
using System.IO.Compression;
using Berth.Core.Errors;
using Berth.Platform.Files;
using Berth.Storage.Layers;

namespace Berth.Tests.Unit.Storage;

/// <summary>Layer extraction: fidelity, whiteouts, compression, and hostile archives.</summary>
public sealed class LayerApplierTests : IDisposable
{
    private readonly TempDir _dir = new();
    private readonly string _root;
    private readonly string _outside;

    public LayerApplierTests()
    {
        _root = _dir.Sub("layer");
        _outside = _dir.Sub("outside");
    }

    private async Task<long> ApplyAsync(byte[] tar) => await LayerApplier.ApplyAsync(new UnseekableStream(new MemoryStream(tar)), _root, CancellationToken.None);

    [Fact]
    public async Task Files_directories_links_and_devices_keep_their_metadata()
    {
        var tar = new TarBuilder()
            .Dir("./")
            .Dir("etc/", 0x1C0, 5, 6)
            .File("etc/passwd", "root:x:0:0", 0x1A4, 7, 8)
            .File("bin/su", "suid", 0xDED) // 04755 + sticky? 0xDED = 06755
            .Symlink("bin/sh", "busybox")
            .Hardlink("etc/passwd-", "etc/passwd")
            .Device("dev/null", TarEntryType.CharacterDevice, 1, 3)
            .Device("dev/fifo", TarEntryType.Fifo, 0, 0)
            .File("etc/x", "attr", pax: new Dictionary<string, string> { ["SCHILY.xattr.user.test"] = "value" })
            .Build();

        var size = await ApplyAsync(tar);

        Assert.Equal("root:x:0:0".Length + "suid".Length + "attr".Length, size);
        var passwd = PosixFiles.Lstat(Path.Combine(_root, "etc/passwd"));
        Assert.Equal((7u, 8u, 0x1A4u), (passwd.Uid, passwd.Gid, passwd.Permissions));
        Assert.Equal(2u, passwd.Nlink);
        Assert.Equal(passwd.Inode, PosixFiles.Lstat(Path.Combine(_root, "etc/passwd-")).Inode);
        Assert.Equal(TarBuilder.Time, passwd.Mtime);
        var etc = PosixFiles.Lstat(Path.Combine(_root, "etc"));
        Assert.Equal((5u, 6u, 0x1C0u), (etc.Uid, etc.Gid, etc.Permissions));
        Assert.Equal(TarBuilder.Time, etc.Mtime); // set after its children were created
        Assert.Equal(0xDEDu, PosixFiles.Lstat(Path.Combine(_root, "bin/su")).Permissions);
        Assert.Equal("busybox", new FileInfo(Path.Combine(_root, "bin/sh")).LinkTarget);
        var dev = PosixFiles.Lstat(Path.Combine(_root, "dev/null"));
        Assert.Equal((FileStatus.CharDevice, 1u, 3u), (dev.Type, dev.RdevMajor, dev.RdevMinor));
        Assert.Equal(FileStatus.Fifo, PosixFiles.Lstat(Path.Combine(_root, "dev/fifo")).Type);
        Assert.Equal("value"u8.ToArray(), PosixFiles.GetXattr(Path.Combine(_root, "etc/x"), "user.test"));
    }

    [Fact]
    public async Task Whiteouts_become_overlay_whiteouts_and_opaque_directories()
    {
        var tar = new TarBuilder().Dir("app/").File("app/.wh.gone", string.Empty).File("data/.wh..wh..opq", string.Empty).File("data/kept", "k").Build();

        await ApplyAsync(tar);

        var wh = PosixFiles.Lstat(Path.Combine(_root, "app/gone"));
        Assert.True(wh.IsWhiteout);
        Assert.False(File.Exists(Path.Combine(_root, "app/.wh.gone")));
        Assert.Equal("y"u8.ToArray(), PosixFiles.GetXattr(Path.Combine(_root, "data"), "trusted.overlay.opaque"));
        Assert.True(File.Exists(Path.Combine(_root, "data/kept")));
    }

    [Fact]
    public async Task Deep_paths_and_later_entries_replacing_earlier_ones_work()
    {
        var deep = string.Join('/', Enumerable.Range(0, 60).Select(i => "d" + i));
        var tar = new TarBuilder().File(deep + "/leaf", "deep").File("x", "first").Dir("x/").File("x/y", "second").Build();

        await ApplyAsync(tar);

        Assert.Equal("deep", File.ReadAllText(Path.Combine(_root, deep, "leaf")));
        Assert.Equal("second", File.ReadAllText(Path.Combine(_root, "x/y")));
    }

    [Fact]
    public async Task A_relative_symlink_inside_the_layer_is_followed_for_later_entries()
    {
        var tar = new TarBuilder().Dir("real/").Symlink("alias", "real").File("alias/f", "via link").Build();

        await ApplyAsync(tar);

        Assert.Equal("via link", File.ReadAllText(Path.Combine(_root, "real/f")));
    }

    [Theory]
    [InlineData("../evil")]
    [InlineData("a/../../evil")]
    [InlineData("./../outside/evil")]
    public async Task Dot_dot_paths_are_refused(string name)
    {
        var tar = new TarBuilder().File(name, "pwned").Build();

        var e = await Assert.ThrowsAsync<BerthException>(() => ApplyAsync(tar));

        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Contains("outside of the layer", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_outside));
        Assert.False(File.Exists(Path.Combine(_dir.Path, "evil")));
    }

    [Fact]
    public async Task A_file_written_through_an_absolute_symlink_is_refused()
    {
        var tar = new TarBuilder().Symlink("escape", _outside).File("escape/evil", "pwned").Build();

        var e = await Assert.ThrowsAsync<BerthException>(() => ApplyAsync(tar));

        Assert.Contains("absolute symlink", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_outside));
    }

    [Fact]
    public async Task A_file_written_through_a_relative_symlink_climbing_out_is_refused()
    {
        var tar = new TarBuilder().Dir("a/").Symlink("a/up", "../../outside").File("a/up/evil", "pwned").Build();

        var e = await Assert.ThrowsAsync<BerthException>(() => ApplyAsync(tar));

        Assert.Contains("outside of the layer", e.Message, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFileSystemEntries(_outside));
    }

    [Theory]
    [InlineData("/etc/passwd")]
    [InlineData("../../../../../../etc/passwd")]
    public async Task A_hard_link_to_a_file_outside_the_layer_is_refused(string target)
    {
        var tar = new TarBuilder().Hardlink("pw", target).Build();

        var e = await Assert.ThrowsAsync<BerthException>(() => ApplyAsync(tar));

        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.False(File.Exists(Path.Combine(_root, "pw")));
        Assert.Equal(1u, PosixFiles.Lstat("/etc/passwd").Nlink);
    }

    [Fact]
    public async Task A_hard_link_through_a_symlink_to_outside_is_refused()
    {
        File.WriteAllText(Path.Combine(_outside, "secret"), "s");
        var tar = new TarBuilder().Symlink("out", "../outside").Hardlink("stolen", "out/secret").Build();

        await Assert.ThrowsAsync<BerthException>(() => ApplyAsync(tar));

        Assert.False(File.Exists(Path.Combine(_root, "stolen")));
        Assert.Equal(1u, PosixFiles.Lstat(Path.Combine(_outside, "secret")).Nlink);
    }

    [Fact]
    public async Task Gzip_and_zstd_layers_are_recognised_by_magic_bytes()
    {
        var tar = new TarBuilder().File("hello", "world").Build();
        using var gz = new MemoryStream();
        using (var z = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true))
        {
            z.Write(tar);
        }

        using var zs = new MemoryStream();
        using (var z = new ZstdSharp.CompressionStream(zs, 3, leaveOpen: true))
        {
            z.Write(tar);
        }

        foreach (var (bytes, kind) in new[] { (gz.ToArray(), LayerCompression.Gzip), (zs.ToArray(), LayerCompression.Zstd), (tar, LayerCompression.None) })
        {
            var root = _dir.Sub("c-" + kind);
            var (stream, detected) = await Decompression.OpenAsync(new UnseekableStream(new MemoryStream(bytes)), CancellationToken.None);
            Assert.Equal(kind, detected);
            await LayerApplier.ApplyAsync(stream, root, CancellationToken.None);
            Assert.Equal("world", File.ReadAllText(Path.Combine(root, "hello")));
        }
    }

    [Fact]
    public async Task Xz_layers_get_a_clear_error()
    {
        byte[] xz = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0, 0];
        var e = await Assert.ThrowsAsync<BerthException>(() => Decompression.OpenAsync(new MemoryStream(xz), CancellationToken.None));
        Assert.Contains("xz", e.Message, StringComparison.Ordinal);
    }

    public void Dispose() => _dir.Dispose();
}
