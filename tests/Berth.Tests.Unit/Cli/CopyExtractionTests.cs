using System.Formats.Tar;
using System.Text;
using Berth.Cli;
using Berth.Cli.Commands;

namespace Berth.Tests.Unit.Cli;

/// <summary>
/// `berth cp CONTAINER:SRC DEST` extracts a tar the daemon sent, and the daemon relays what the
/// container holds: a hostile container (or daemon) must not make the client write, link or
/// copy anything outside DEST. Each hostile archive is refused and leaves the outside untouched.
/// </summary>
public sealed class CopyExtractionTests : IDisposable
{
    private readonly string _base = Directory.CreateTempSubdirectory("berth-cpx-").FullName;

    public CopyExtractionTests()
    {
        Directory.CreateDirectory(Dest);
        Directory.CreateDirectory(Path.Combine(_base, "dest2"));
        Directory.CreateDirectory(Victim);
        File.WriteAllText(Path.Combine(Victim, "secret"), "host secret");
    }

    private string Dest => Path.Combine(_base, "dest");

    private string Victim => Path.Combine(_base, "victim");

    public void Dispose() => Directory.Delete(_base, recursive: true);

    private static TarEntry FileEntry(string name, string content) => new PaxTarEntry(TarEntryType.RegularFile, name)
    {
        Mode = (UnixFileMode)0x1A4,
        DataStream = new MemoryStream(Encoding.UTF8.GetBytes(content)),
    };

    private static TarEntry Dir(string name) => new PaxTarEntry(TarEntryType.Directory, name) { Mode = (UnixFileMode)0x1ED };

    private static TarEntry Link(TarEntryType type, string name, string target) => new PaxTarEntry(type, name) { LinkName = target, Mode = (UnixFileMode)0x1FF };

    private static MemoryStream Tar(params TarEntry[] entries)
    {
        var ms = new MemoryStream();
        using (var w = new TarWriter(ms, TarEntryFormat.Pax, leaveOpen: true))
        {
            foreach (var e in entries)
            {
                w.WriteEntry(e);
            }
        }

        ms.Position = 0;
        return ms;
    }

    private Task ExtractAsync(MemoryStream tar) => ContainerCopy.ExtractAsync(tar, Dest, "top", null, false, false, CancellationToken.None);

    /// <summary>Everything under the test's base directory outside DEST, with contents.</summary>
    private List<string> Outside() =>
        Directory.EnumerateFileSystemEntries(_base, "*", SearchOption.AllDirectories)
            .Where(p => p != Dest && !p.StartsWith(Dest + "/", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .Select(p => System.IO.File.Exists(p) ? p + "=" + System.IO.File.ReadAllText(p) : p)
            .ToList();

    public static TheoryData<string> EscapingNames => new() { "../x", "a/../../x", "top/../../x", "../dest2/x", "/../x", "top/../../dest2/x" };

    [Theory]
    [MemberData(nameof(EscapingNames))]
    public async Task An_entry_whose_name_leaves_the_destination_is_refused(string name)
    {
        var before = Outside();
        await Assert.ThrowsAsync<CliException>(() => ExtractAsync(Tar(FileEntry(name, "pwned"))));
        Assert.Equal(before, Outside());
    }

    [Fact]
    public async Task A_symlink_to_outside_is_never_written_through()
    {
        var before = Outside();
        await Assert.ThrowsAsync<CliException>(() => ExtractAsync(Tar(Link(TarEntryType.SymbolicLink, "l", Victim), FileEntry("l/file", "pwned"))));
        Assert.Equal(before, Outside());

        await Assert.ThrowsAsync<CliException>(() => ExtractAsync(Tar(Link(TarEntryType.SymbolicLink, "d", Victim), Dir("d/sub/"))));
        Assert.Equal(before, Outside());
    }

    [Fact]
    public async Task A_regular_file_replaces_a_symlink_instead_of_writing_through_it()
    {
        await ExtractAsync(Tar(Link(TarEntryType.SymbolicLink, "l", Path.Combine(Victim, "secret")), FileEntry("l", "replaced")));
        Assert.Equal("host secret", await System.IO.File.ReadAllTextAsync(Path.Combine(Victim, "secret")));
        Assert.Null(new FileInfo(Path.Combine(Dest, "l")).LinkTarget);
        Assert.Equal("replaced", await System.IO.File.ReadAllTextAsync(Path.Combine(Dest, "l")));
    }

    [Fact]
    public async Task A_directory_entry_over_a_symlink_does_not_change_the_target()
    {
        var mode = System.IO.File.GetUnixFileMode(Victim);
        await ExtractAsync(Tar(Link(TarEntryType.SymbolicLink, "d", Victim), new PaxTarEntry(TarEntryType.Directory, "d/") { Mode = (UnixFileMode)0x1FF }));
        Assert.Equal(mode, System.IO.File.GetUnixFileMode(Victim));
        Assert.True(Directory.Exists(Path.Combine(Dest, "d")) && new DirectoryInfo(Path.Combine(Dest, "d")).LinkTarget is null);
    }

    [Theory]
    [InlineData("../victim/secret")]
    [InlineData("../../etc/passwd")]
    [InlineData("a/../../victim/secret")]
    public async Task A_hard_link_to_outside_is_refused(string target)
    {
        var before = Outside();
        await Assert.ThrowsAsync<CliException>(() => ExtractAsync(Tar(Link(TarEntryType.HardLink, "h", target))));
        Assert.Equal(before, Outside());
        Assert.False(System.IO.File.Exists(Path.Combine(Dest, "h")));
    }

    [Fact]
    public async Task A_hard_link_through_a_symlink_is_refused()
    {
        await Assert.ThrowsAsync<CliException>(() => ExtractAsync(Tar(Link(TarEntryType.SymbolicLink, "l", Victim), Link(TarEntryType.HardLink, "h", "l/secret"))));
        Assert.False(System.IO.File.Exists(Path.Combine(Dest, "h")));
    }

    [Fact]
    public async Task A_relative_symlink_that_leaves_the_destination_is_refused_as_docker_does()
    {
        await Assert.ThrowsAsync<CliException>(() => ExtractAsync(Tar(Link(TarEntryType.SymbolicLink, "up", "../victim"))));
        Assert.False(Path.Exists(Path.Combine(Dest, "up")));
    }

    [Fact]
    public async Task An_ordinary_tree_with_links_is_extracted()
    {
        await ExtractAsync(Tar(
            Dir("top/"),
            Dir("top/sub/"),
            FileEntry("top/sub/f", "data"),
            Link(TarEntryType.SymbolicLink, "top/rel", "sub/f"),
            Link(TarEntryType.SymbolicLink, "top/abs", "/etc/hostname"),
            Link(TarEntryType.HardLink, "top/hard", "top/sub/f")));
        Assert.Equal("data", await System.IO.File.ReadAllTextAsync(Path.Combine(Dest, "top", "sub", "f")));
        Assert.Equal("data", await System.IO.File.ReadAllTextAsync(Path.Combine(Dest, "top", "rel")));
        Assert.Equal("/etc/hostname", new FileInfo(Path.Combine(Dest, "top", "abs")).LinkTarget);
        Assert.Equal("data", await System.IO.File.ReadAllTextAsync(Path.Combine(Dest, "top", "hard")));
    }
}
