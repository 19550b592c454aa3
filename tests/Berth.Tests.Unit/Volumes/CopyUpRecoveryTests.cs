using Berth.Core.Events;
using Berth.Volumes;

namespace Berth.Tests.Unit.Volumes;

/// <summary>
/// Copy-up is staged inside the volume: a crash mid-copy leaves the volume empty (so the next start
/// copies again), a crash after the copy was complete is finished at the next start.
/// </summary>
public sealed class CopyUpRecoveryTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "berth-copyup-" + Guid.NewGuid().ToString("N")[..8]);

    public CopyUpRecoveryTests() => Directory.CreateDirectory(_root);

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private VolumeService NewService() => new(_root, new EventBus(TimeProvider.System), TimeProvider.System, () => null);

    private string ImageDir()
    {
        var src = Path.Combine(_root, "image-data");
        Directory.CreateDirectory(Path.Combine(src, "sub"));
        File.WriteAllText(Path.Combine(src, "a.txt"), "a");
        File.WriteAllText(Path.Combine(src, "sub", "b.txt"), "b");
        File.CreateSymbolicLink(Path.Combine(src, "link"), "/nonexistent/target");
        File.SetUnixFileMode(src, (UnixFileMode)0x1C0); // 0700: the volume root takes it over
        return src;
    }

    private static List<string> Tree(string dir) =>
        [.. Directory.EnumerateFileSystemEntries(dir, "*", SearchOption.AllDirectories).Select(p => Path.GetRelativePath(dir, p)).Order(StringComparer.Ordinal)];

    [Fact]
    public void Copy_up_fills_an_empty_volume_once_and_leaves_no_staging()
    {
        var svc = NewService();
        var v = svc.Create(new CreateVolumeRequest { Name = "fill" });
        var src = ImageDir();
        Assert.True(svc.CopyUpIfEmpty("fill", src));
        Assert.Equal(["a.txt", "link", "sub", Path.Combine("sub", "b.txt")], Tree(v.Mountpoint));
        Assert.Equal("/nonexistent/target", new FileInfo(Path.Combine(v.Mountpoint, "link")).LinkTarget);
        Assert.Equal((UnixFileMode)0x1C0, File.GetUnixFileMode(v.Mountpoint));

        File.WriteAllText(Path.Combine(src, "later.txt"), "x");
        Assert.False(svc.CopyUpIfEmpty("fill", src));
        Assert.False(File.Exists(Path.Combine(v.Mountpoint, "later.txt")));
    }

    [Fact]
    public void A_copy_cut_short_is_dropped_at_start_so_the_volume_is_empty_and_copied_again()
    {
        var mountpoint = NewService().Create(new CreateVolumeRequest { Name = "cut" }).Mountpoint;
        var partial = Path.Combine(mountpoint, ".berth-copyup-partial");
        Directory.CreateDirectory(partial);
        File.WriteAllText(Path.Combine(partial, "a.txt"), "half");

        var svc = NewService();
        Assert.Empty(Tree(mountpoint));
        Assert.True(VolumeService.IsEmpty(mountpoint));
        Assert.True(svc.CopyUpIfEmpty("cut", ImageDir()));
        Assert.Equal("a", File.ReadAllText(Path.Combine(mountpoint, "a.txt")));
    }

    [Fact]
    public void A_complete_copy_whose_renames_were_cut_short_is_finished_at_start()
    {
        var mountpoint = NewService().Create(new CreateVolumeRequest { Name = "staged" }).Mountpoint;
        var done = Path.Combine(mountpoint, ".berth-copyup-done");
        Directory.CreateDirectory(Path.Combine(done, "sub"));
        File.WriteAllText(Path.Combine(done, "sub", "b.txt"), "b");
        File.WriteAllText(Path.Combine(mountpoint, "a.txt"), "a"); // moved before the crash
        File.SetUnixFileMode(done, (UnixFileMode)0x1C0);

        _ = NewService();
        Assert.Equal(["a.txt", "sub", Path.Combine("sub", "b.txt")], Tree(mountpoint));
        Assert.Equal((UnixFileMode)0x1C0, File.GetUnixFileMode(mountpoint));
    }

    [Fact]
    public async Task Two_starts_on_one_empty_volume_copy_once()
    {
        var svc = NewService();
        var v = svc.Create(new CreateVolumeRequest { Name = "race" });
        var src = ImageDir();
        for (var i = 0; i < 200; i++)
        {
            File.WriteAllText(Path.Combine(src, $"f{i}"), new string('x', 1000));
        }

        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => svc.CopyUpIfEmpty("race", src))));
        Assert.Single(results, r => r);
        Assert.Equal(Tree(src), Tree(v.Mountpoint));
    }
}
