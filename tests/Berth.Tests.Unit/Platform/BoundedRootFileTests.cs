using System.Text;
using Berth.Core.Errors;
using Berth.Platform.Files;
using Berth.Runtime.Oci;
using Berth.Tests.Unit.Storage;

namespace Berth.Tests.Unit.Platform;

/// <summary>
/// /etc/passwd and /etc/group are the image's: reading them must never block, never read without
/// end and never leave the root. Each test would hang or exhaust memory with a plain read.
/// </summary>
public sealed class BoundedRootFileTests : IDisposable
{
    private readonly TempDir _root = new();

    public BoundedRootFileTests() => _root.Sub("etc");

    public void Dispose() => _root.Dispose();

    private string Etc(string name) => Path.Combine(_root.Path, "etc", name);

    private InvalidDataException Refused(string path) =>
        Assert.Throws<InvalidDataException>(() => SafeRoot.TryReadBoundedRegularFile(_root.Path, path, 1024));

    [Fact]
    public void A_regular_file_is_read_and_a_missing_one_is_null()
    {
        File.WriteAllText(Etc("passwd"), "root:x:0:0:root:/root:/bin/sh\n");
        Assert.Equal("root:x:0:0:root:/root:/bin/sh\n", Encoding.UTF8.GetString(SafeRoot.TryReadBoundedRegularFile(_root.Path, "/etc/passwd", 1024)!));
        Assert.Null(SafeRoot.TryReadBoundedRegularFile(_root.Path, "/etc/group", 1024));
        Assert.Null(SafeRoot.TryReadBoundedRegularFile(_root.Path, "/nodir/group", 1024));
    }

    [Fact]
    public void A_fifo_is_refused_without_waiting_for_a_writer()
    {
        PosixFiles.Mknod(Etc("passwd"), FileStatus.Fifo | 0x1A4, 0, 0);
        Assert.Contains("/etc/passwd is a FIFO, not a regular file", Refused("/etc/passwd").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_endless_device_is_refused()
    {
        PosixFiles.Mknod(Etc("passwd"), FileStatus.CharDevice | 0x1A4, 1, 5); // /dev/zero
        Assert.Contains("is a character device", Refused("/etc/passwd").Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_directory_and_a_file_over_the_cap_are_refused()
    {
        Directory.CreateDirectory(Etc("group"));
        Assert.Contains("is a directory", Refused("/etc/group").Message, StringComparison.Ordinal);
        File.WriteAllBytes(Etc("passwd"), new byte[1025]);
        Assert.Contains("larger than 1024 bytes", Refused("/etc/passwd").Message, StringComparison.Ordinal);
        File.WriteAllBytes(Etc("passwd"), new byte[1024]);
        Assert.Equal(1024, SafeRoot.TryReadBoundedRegularFile(_root.Path, "/etc/passwd", 1024)!.Length);
    }

    [Fact]
    public void A_symlink_to_a_host_path_resolves_inside_the_root()
    {
        var host = Path.Combine(_root.Path, "..", "host-passwd-" + Guid.NewGuid().ToString("N"));
        File.WriteAllText(host, "hostonly:x:4242:4242::/:/bin/sh\n");
        try
        {
            File.CreateSymbolicLink(Etc("passwd"), Path.GetFullPath(host));
            Assert.Null(SafeRoot.TryReadBoundedRegularFile(_root.Path, "/etc/passwd", 1024));
            File.Delete(Etc("passwd"));
            File.CreateSymbolicLink(Etc("passwd"), "/dev/zero"); // the host's /dev/zero is not the container's
            Assert.Null(SafeRoot.TryReadBoundedRegularFile(_root.Path, "/etc/passwd", 1024));
        }
        finally
        {
            File.Delete(host);
        }
    }

    [Fact]
    public void UserResolver_turns_a_refusal_into_a_clear_invalid_argument()
    {
        PosixFiles.Mknod(Etc("passwd"), FileStatus.Fifo | 0x1A4, 0, 0);
        var e = Assert.Throws<BerthException>(() => UserResolver.ReadRootFile(_root.Path, "/etc/passwd"));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Equal("unable to look up users and groups: the container's /etc/passwd is a FIFO, not a regular file", e.Message);
    }
}
