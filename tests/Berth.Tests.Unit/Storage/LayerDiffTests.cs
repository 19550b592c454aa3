using Berth.Platform.Files;
using Berth.Storage.Layers;

namespace Berth.Tests.Unit.Storage;

public sealed class LayerDiffTests : IDisposable
{
    private readonly TempDir _dir = new();

    [Fact]
    public async Task An_upper_directory_round_trips_through_a_diff_tar_with_whiteouts()
    {
        var upper = _dir.Sub("upper");
        Directory.CreateDirectory(Path.Combine(upper, "etc"));
        File.WriteAllText(Path.Combine(upper, "etc/conf"), "c");
        PosixFiles.Link(Path.Combine(upper, "etc/conf"), Path.Combine(upper, "etc/conf2"));
        PosixFiles.Mknod(Path.Combine(upper, "etc/removed"), FileStatus.CharDevice, 0, 0);
        Directory.CreateDirectory(Path.Combine(upper, "opaque"));
        PosixFiles.SetXattr(Path.Combine(upper, "opaque"), "trusted.overlay.opaque", "y"u8);
        File.CreateSymbolicLink(Path.Combine(upper, "link"), "etc/conf");

        using var tar = new MemoryStream();
        await LayerDiff.WriteAsync(upper, tar, CancellationToken.None);
        tar.Position = 0;
        var names = new List<string>();
        using (var r = new System.Formats.Tar.TarReader(new MemoryStream(tar.ToArray())))
        {
            while (r.GetNextEntry() is { } e)
            {
                names.Add(e.Name);
            }
        }

        Assert.Contains("etc/.wh.removed", names);
        Assert.Contains("opaque/.wh..wh..opq", names);

        var back = _dir.Sub("back");
        await LayerApplier.ApplyAsync(tar, back, CancellationToken.None);
        Assert.True(PosixFiles.Lstat(Path.Combine(back, "etc/removed")).IsWhiteout);
        Assert.Equal("y"u8.ToArray(), PosixFiles.GetXattr(Path.Combine(back, "opaque"), "trusted.overlay.opaque"));
        Assert.Equal(PosixFiles.Lstat(Path.Combine(back, "etc/conf")).Inode, PosixFiles.Lstat(Path.Combine(back, "etc/conf2")).Inode);
        Assert.Equal("etc/conf", new FileInfo(Path.Combine(back, "link")).LinkTarget);
    }

    public void Dispose() => _dir.Dispose();
}
