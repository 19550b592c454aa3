using System.Text;
using Berth.Platform.Files;
using Berth.Platform.Native;

namespace Berth.Tests.Unit.Platform;

public sealed class SafeRootTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "rt-root-" + Guid.NewGuid().ToString("N")[..8]);

    public SafeRootTests()
    {
        Directory.CreateDirectory(Path.Combine(_root, "etc"));
        File.WriteAllText(Path.Combine(_root, "etc", "passwd"), "inside\n");
        File.WriteAllText(Path.Combine(_root, "etc", "real"), "real\n");
        File.CreateSymbolicLink(Path.Combine(_root, "escape"), "/etc/hostname");
        File.CreateSymbolicLink(Path.Combine(_root, "dotdot"), "../../../../../../etc/passwd");
        File.CreateSymbolicLink(Path.Combine(_root, "etc", "link"), "real");
    }

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void AbsoluteSymlink_ResolvesInsideRoot()
    {
        // "/etc/hostname" inside the root does not exist: the host's file must not be read.
        Assert.Null(SafeRoot.TryReadAllBytes(_root, "/escape"));
    }

    [Fact]
    public void DotDotSymlink_IsClampedToRoot()
    {
        Assert.Equal("inside\n", Encoding.UTF8.GetString(SafeRoot.TryReadAllBytes(_root, "dotdot")!));
        Assert.Equal("inside\n", Encoding.UTF8.GetString(SafeRoot.TryReadAllBytes(_root, "/../../etc/passwd")!));
    }

    [Fact]
    public void RelativeSymlink_And_Resolve()
    {
        Assert.Equal("real\n", Encoding.UTF8.GetString(SafeRoot.TryReadAllBytes(_root, "/etc/link")!));
        Assert.Equal(Path.Combine(_root, "etc", "real"), SafeRoot.Resolve(_root, "/etc/link"));
        Assert.Null(SafeRoot.TryReadAllBytes(_root, "/nope/x"));
        var e = Assert.Throws<ErrnoException>(() => SafeRoot.Open(_root, "/nope", Libc.O_RDONLY));
        Assert.Equal(Libc.ENOENT, e.Errno);
    }
}
