using Berth.Containers.Archive;
using Berth.Volumes;

namespace Berth.Tests.Unit.Volumes;

/// <summary>Hostile symlinks in a container root never resolve to host paths outside it.</summary>
public sealed class ScopedPathTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "berth-scope-" + Guid.NewGuid().ToString("N")[..8]);

    public ScopedPathTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "etc"));
        File.WriteAllText(Path.Combine(_root, "etc", "hostname"), "inside");
        File.CreateSymbolicLink(Path.Combine(_root, "escape"), "/");
        File.CreateSymbolicLink(Path.Combine(_root, "up"), "../../../../etc");
        File.CreateSymbolicLink(Path.Combine(_root, "loop"), "loop");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData("/escape/etc/hostname", "/etc/hostname")]
    [InlineData("/up/hostname", "/etc/hostname")]
    [InlineData("/../../etc/hostname", "/etc/hostname")]
    [InlineData("/escape", "/")]
    public void Symlinks_and_dotdot_are_clamped_to_the_root(string path, string expected)
    {
        Assert.Equal(expected, ScopedPath.Resolve(_root, path, followFinal: true));
        var host = ScopedPath.HostPath(_root, expected);
        Assert.StartsWith(_root, host, StringComparison.Ordinal);
    }

    [Fact]
    public void The_final_symlink_is_kept_when_not_followed_and_loops_fail()
    {
        Assert.Equal("/escape", ScopedPath.Resolve(_root, "/escape", followFinal: false));
        Assert.Null(ScopedPath.Resolve(_root, "/loop/x", followFinal: true));
        Assert.Null(ScopedPath.Resolve(_root, "/nope/x", followFinal: true));
    }

    [Fact]
    public void The_host_path_of_the_root_is_the_directory_even_when_the_root_is_a_link()
    {
        // A running container's root is /proc/PID/root, a link: lstat of the root must see the directory.
        var link = _root + "-link";
        File.CreateSymbolicLink(link, _root);
        try
        {
            Assert.True(Berth.Platform.Files.PosixFiles.Lstat(ScopedPath.HostPath(link, "/")).IsDirectory);
            Assert.Equal(Path.Combine(link, "etc"), ScopedPath.HostPath(link, "/etc"));
        }
        finally
        {
            File.Delete(link);
        }
    }

    [Fact]
    public async Task Extracting_a_tar_through_a_hostile_symlink_stays_inside()
    {
        var outside = Path.Combine(Path.GetTempPath(), "berth-outside-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(outside);
        try
        {
            File.CreateSymbolicLink(Path.Combine(_root, "out"), outside);

            // The same absolute path exists inside the root: that is where the link really points for the container.
            Directory.CreateDirectory(Path.Combine(_root, outside.TrimStart('/')));
            using var tar = new MemoryStream();
            await using (var w = new System.Formats.Tar.TarWriter(tar, leaveOpen: true))
            {
                var e = new System.Formats.Tar.PaxTarEntry(System.Formats.Tar.TarEntryType.RegularFile, "out/pwned") { DataStream = new MemoryStream("x"u8.ToArray()) };
                await w.WriteEntryAsync(e);
            }

            tar.Position = 0;
            await TarTree.ExtractAsync(tar, _root, "/", noOverwriteDirNonDir: false, owner: (0u, 0u), CancellationToken.None);
            Assert.False(File.Exists(Path.Combine(outside, "pwned")));
            Assert.True(File.Exists(Path.Combine(_root, outside.TrimStart('/'), "pwned")));
        }
        finally
        {
            Directory.Delete(outside, recursive: true);
        }
    }

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Copy_up_preserves_symlinks_and_modes()
    {
        var src = Path.Combine(_root, "etc");
        File.CreateSymbolicLink(Path.Combine(src, "link"), "/somewhere");
        File.SetUnixFileMode(Path.Combine(src, "hostname"), UnixFileMode.UserRead | UnixFileMode.UserExecute);
        var dst = Path.Combine(_root, "copy");
        Directory.CreateDirectory(dst);
        CopyUp.CopyTree(src, dst);
        Assert.Equal("/somewhere", new FileInfo(Path.Combine(dst, "link")).LinkTarget);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserExecute, File.GetUnixFileMode(Path.Combine(dst, "hostname")));
        Assert.Equal("inside", File.ReadAllText(Path.Combine(dst, "hostname")));
    }
}
