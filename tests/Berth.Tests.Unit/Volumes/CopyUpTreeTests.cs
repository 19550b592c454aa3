using Berth.Volumes;

namespace Berth.Tests.Unit.Volumes;

public sealed class CopyUpTreeTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("berth-copyup-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    public void Copy_up_preserves_symlinks_and_modes()
    {
        var src = Path.Combine(_root, "etc");
        Directory.CreateDirectory(src);
        File.WriteAllText(Path.Combine(src, "hostname"), "inside");
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
