using System.Text;
using Berth.Platform.Files;
using Berth.Platform.Mounts;
using Berth.Tests.Unit.Storage;

namespace Berth.Tests.Unit.Platform;

public sealed class AtomicFileTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private string[] Entries(string dir) => Directory.GetFileSystemEntries(dir).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    [Fact]
    public void Write_replaces_the_content_with_an_owner_only_file_and_leaves_no_temporary()
    {
        var path = Path.Combine(_dir.Path, "record.json");
        File.WriteAllText(path, "old");
        AtomicFile.Write(path, "new"u8);
        Assert.Equal("new", File.ReadAllText(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(["record.json"], Entries(_dir.Path));

        AtomicFile.WriteRuntimeState(path, "runtime"u8);
        Assert.Equal("runtime", File.ReadAllText(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal(["record.json"], Entries(_dir.Path));

        AtomicFile.Write(path, s => s.Write("streamed"u8), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead);
        Assert.Equal("streamed", File.ReadAllText(path));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead, File.GetUnixFileMode(path));
    }

    [Fact]
    public void A_writer_that_fails_half_way_leaves_the_old_file_intact_and_no_temporary()
    {
        var path = Path.Combine(_dir.Path, "config.v2.json");
        File.WriteAllText(path, "{\"old\":true}");
        var e = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            s.Write(Encoding.UTF8.GetBytes(new string('x', 100_000))); // past the buffer: bytes reach the temporary file
            throw new InvalidOperationException("serializer failed");
        }));
        Assert.Equal("serializer failed", e.Message);
        Assert.Equal("{\"old\":true}", File.ReadAllText(path));
        Assert.Equal(["config.v2.json"], Entries(_dir.Path));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_full_file_system_leaves_the_old_file_intact_and_no_temporary(bool durable)
    {
        // A real ENOSPC from the kernel, in the middle of the write; runtime state (not fsync'd)
        // is replaced just as atomically.
        var mnt = _dir.Sub("small");
        Mounter.Mount("tmpfs", mnt, "tmpfs", 0, "size=64k");
        try
        {
            var path = Path.Combine(mnt, "exit");
            AtomicFile.Write(path, "0 0 1"u8);
            Assert.Throws<IOException>(() =>
            {
                if (durable)
                {
                    AtomicFile.Write(path, new byte[1 << 20]);
                }
                else
                {
                    AtomicFile.WriteRuntimeState(path, new byte[1 << 20]);
                }
            });
            Assert.Equal("0 0 1", File.ReadAllText(path));
            Assert.Equal(["exit"], Entries(mnt));
        }
        finally
        {
            Mounter.Unmount(mnt);
        }
    }

    [Fact]
    public void A_failed_rename_leaves_no_temporary()
    {
        var path = Path.Combine(_dir.Path, "target");
        Directory.CreateDirectory(Path.Combine(path, "inside")); // rename(2) of a file over a non-empty directory fails
        Assert.ThrowsAny<IOException>(() => AtomicFile.Write(path, "x"u8));
        Assert.True(Directory.Exists(Path.Combine(path, "inside")));
        Assert.Equal(["target"], Entries(_dir.Path));
    }

    [Fact]
    public void RemoveLeftovers_deletes_only_temporaries()
    {
        File.WriteAllText(Path.Combine(_dir.Path, "a.json"), "a");
        File.WriteAllText(Path.Combine(_dir.Path, "a.json" + AtomicFile.TemporaryMarker + "0123456789ab"), "partial");
        AtomicFile.RemoveLeftovers(_dir.Path);
        Assert.Equal(["a.json"], Entries(_dir.Path));
        Assert.True(AtomicFile.IsTemporary("x" + AtomicFile.TemporaryMarker + "1"));
        Assert.False(AtomicFile.IsTemporary("config.v2.json"));
    }

    [Fact]
    public void StateDirectory_creates_with_the_exact_mode_and_corrects_an_existing_one()
    {
        var fresh = Path.Combine(_dir.Path, "data");
        StateDirectory.Ensure(fresh, StateDirectory.DataRoot);
        Assert.Equal(StateDirectory.DataRoot, File.GetUnixFileMode(fresh));

        var old = _dir.Sub("containers");
        File.SetUnixFileMode(old, (UnixFileMode)0x1FF); // 0777, as an old version or a umask could leave it
        StateDirectory.Ensure(old, StateDirectory.Private);
        Assert.Equal(StateDirectory.Private, File.GetUnixFileMode(old));
    }
}
