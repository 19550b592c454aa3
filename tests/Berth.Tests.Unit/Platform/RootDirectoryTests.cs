using Berth.Platform.Files;
using Berth.Platform.Native;

namespace Berth.Tests.Unit.Platform;

/// <summary>Hostile symlinks in a container root never resolve to, or change, anything outside it.</summary>
public sealed class RootDirectoryTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("berth-rootdir-").FullName;
    private readonly string _outside = Directory.CreateTempSubdirectory("berth-outside-").FullName;

    public RootDirectoryTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "etc"));
        File.WriteAllText(Path.Combine(_root, "etc", "hostname"), "inside");
        File.WriteAllText(Path.Combine(_outside, "secret"), "outside");
        File.CreateSymbolicLink(Path.Combine(_root, "escape"), "/");
        File.CreateSymbolicLink(Path.Combine(_root, "up"), "../../../../etc");
        File.CreateSymbolicLink(Path.Combine(_root, "loop"), "loop");
        File.CreateSymbolicLink(Path.Combine(_root, "out"), _outside);
        File.CreateSymbolicLink(Path.Combine(_root, "magic"), "/proc/self/root");
    }

    public void Dispose()
    {
        Directory.Delete(_root, recursive: true);
        Directory.Delete(_outside, recursive: true);
    }

    [Theory]
    [InlineData("/escape/etc/hostname")]
    [InlineData("/up/hostname")]
    [InlineData("/../../etc/hostname")]
    [InlineData("etc/../../../etc/hostname")]
    public void Symlinks_and_dotdot_are_clamped_to_the_root(string path)
    {
        using var root = RootDirectory.Open(_root);
        Assert.Equal("inside"u8.ToArray(), root.TryReadAllBytes(path));
    }

    [Fact]
    public void A_link_to_an_outside_path_resolves_inside_and_magic_links_are_refused()
    {
        using var root = RootDirectory.Open(_root);
        Assert.Null(root.TryReadAllBytes("/out/secret"));
        Assert.Throws<ErrnoException>(() => root.Open("/magic/etc/hostname", Libc.O_PATH));
        Assert.Throws<ErrnoException>(() => root.Open("/loop/x", Libc.O_PATH));
        Assert.Null(root.TryOpen("/nope/x", Libc.O_PATH));
    }

    [Fact]
    public void The_final_symlink_is_kept_with_nofollow_and_its_target_read_from_the_descriptor()
    {
        using var root = RootDirectory.Open(_root);
        using var fd = root.Open("/out", Libc.O_PATH | Libc.O_NOFOLLOW);
        Assert.True(PosixFiles.Fstat(fd).IsSymlink);
        Assert.Equal(_outside, PosixFiles.ReadLink(fd));
    }

    [Fact]
    public void Make_directories_follows_links_inside_the_root_only()
    {
        using var root = RootDirectory.Open(_root);

        // A link whose target does not exist inside the root is refused, never created outside.
        Assert.Throws<ErrnoException>(() => root.MakeDirectories("/out/a/b", 0x1ED));
        Directory.CreateDirectory(Path.Combine(_root, _outside.TrimStart('/')));
        using (root.MakeDirectories("/out/a/b", 0x1ED))
        {
        }

        Assert.True(Directory.Exists(Path.Combine(_root, _outside.TrimStart('/'), "a", "b")));
        Assert.Equal(["secret"], Directory.GetFileSystemEntries(_outside).Select(Path.GetFileName));
    }

    [Fact]
    public void Descriptor_calls_change_a_symlink_itself_never_its_target()
    {
        using var root = RootDirectory.Open(_root);
        using var top = root.Open("/", Libc.O_PATH | Libc.O_DIRECTORY);
        var before = PosixFiles.Lstat(Path.Combine(_outside, "secret"));
        File.CreateSymbolicLink(Path.Combine(_root, "s"), Path.Combine(_outside, "secret"));
        PosixFiles.ChmodAt(top, "s", 0x1FF);
        PosixFiles.LchownAt(top, "s", 4321, 4321);
        PosixFiles.SetTimesAt(top, "s", DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch);
        Assert.Throws<ErrnoException>(() => PosixFiles.OpenAt(top, "s", Libc.O_WRONLY));
        PosixFiles.RemoveAllAt(top, "out");
        var after = PosixFiles.Lstat(Path.Combine(_outside, "secret"));
        Assert.Equal(before, after);
        Assert.Equal("outside", File.ReadAllText(Path.Combine(_outside, "secret")));
        Assert.False(Path.Exists(Path.Combine(_root, "out")));
        Assert.Throws<ArgumentException>(() => PosixFiles.MkdirAt(top, "../x", 0x1ED));
    }
}
