using System.Diagnostics;
using Berth.Platform.Files;

namespace Berth.Tests.Unit.Platform;

/// <summary>PosixFiles.TryMarkTopDirectory: the ext4 allocator hint on data-root directories.</summary>
public sealed class TopDirectoryTests : IDisposable
{
    private readonly List<string> _dirs = [];

    public void Dispose()
    {
        foreach (var d in _dirs)
        {
            Directory.Delete(d, recursive: true);
        }
    }

    [Fact]
    public void On_ext4_the_flag_is_set_and_kept_with_the_others()
    {
        var dir = NewDirectory("/var/lib");
        Assert.Equal("ext2/ext3", FileSystemType(dir)); // Debian's root file system, as on every machine this runs on
        Assert.DoesNotContain('T', Attributes(dir));
        var before = Attributes(dir);

        Assert.True(PosixFiles.TryMarkTopDirectory(dir));
        Assert.True(PosixFiles.TryMarkTopDirectory(dir)); // again: nothing to change
        var after = Attributes(dir);
        Assert.Contains('T', after);
        Assert.Equal(Sorted(before + "T"), Sorted(after));
    }

    [Fact]
    public void Where_the_file_system_has_no_flags_nothing_happens()
    {
        var dir = NewDirectory("/dev/shm");
        Assert.Equal("tmpfs", FileSystemType(dir));
        Assert.False(PosixFiles.TryMarkTopDirectory(dir));
        Assert.False(PosixFiles.TryMarkTopDirectory(Path.Combine(dir, "missing")));
        Assert.True(Directory.Exists(dir));
    }

    private string NewDirectory(string parent)
    {
        var dir = Path.Combine(parent, "berth-topdir-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(dir);
        _dirs.Add(dir);
        return dir;
    }

    private static string Sorted(string attributes) =>
        string.Concat(attributes.Where(c => c != '-').Order());

    private static string FileSystemType(string path) => Run("stat", "-f", "-c", "%T", path).Trim();

    /// <summary>The attribute letters lsattr prints for the directory itself.</summary>
    private static string Attributes(string dir) => Run("lsattr", "-d", dir).Split(' ')[0];

    private static string Run(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true })!;
        var output = p.StandardOutput.ReadToEnd();
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
        return output;
    }
}
