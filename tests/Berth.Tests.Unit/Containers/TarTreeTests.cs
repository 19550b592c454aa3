using System.Formats.Tar;
using Berth.Containers.Archive;
using Berth.Platform.Files;
using Berth.Platform.Native;

namespace Berth.Tests.Unit.Containers;

/// <summary>docker cp's tar reading and writing inside a container root held by descriptor.</summary>
public sealed class TarTreeTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("berth-tartree-").FullName;
    private readonly string _outside = Directory.CreateTempSubdirectory("berth-outside-").FullName;

    public void Dispose()
    {
        Directory.Delete(_root, recursive: true);
        Directory.Delete(_outside, recursive: true);
    }

    private static async Task<MemoryStream> TarAsync(params TarEntry[] entries)
    {
        var tar = new MemoryStream();
        await using (var w = new TarWriter(tar, leaveOpen: true))
        {
            foreach (var e in entries)
            {
                await w.WriteEntryAsync(e);
            }
        }

        tar.Position = 0;
        return tar;
    }

    [Fact]
    public async Task Extracting_through_hostile_symlinks_stays_inside()
    {
        File.CreateSymbolicLink(Path.Combine(_root, "out"), _outside);
        File.WriteAllText(Path.Combine(_outside, "victim"), "outside");
        File.CreateSymbolicLink(Path.Combine(_root, "victim"), Path.Combine(_outside, "victim"));

        // The same absolute path exists inside the root: that is where the link really points for the container.
        Directory.CreateDirectory(Path.Combine(_root, _outside.TrimStart('/')));
        using var root = RootDirectory.Open(_root);
        await TarTree.ExtractAsync(
            await TarAsync(
                new PaxTarEntry(TarEntryType.RegularFile, "out/pwned") { DataStream = new MemoryStream("x"u8.ToArray()) },
                new PaxTarEntry(TarEntryType.RegularFile, "victim") { DataStream = new MemoryStream("replaced"u8.ToArray()) },
                new PaxTarEntry(TarEntryType.HardLink, "hard") { LinkName = "out/pwned" },
                new PaxTarEntry(TarEntryType.RegularFile, "new/dir/f") { DataStream = new MemoryStream("deep"u8.ToArray()) }),
            root, "/", noOverwriteDirNonDir: false, owner: (0u, 0u), CancellationToken.None);
        Assert.Equal(["victim"], Directory.GetFileSystemEntries(_outside).Select(Path.GetFileName));
        Assert.Equal("outside", File.ReadAllText(Path.Combine(_outside, "victim")));
        Assert.True(File.Exists(Path.Combine(_root, _outside.TrimStart('/'), "pwned")));
        Assert.Equal("replaced", File.ReadAllText(Path.Combine(_root, "victim")));
        Assert.Equal("deep", File.ReadAllText(Path.Combine(_root, "new", "dir", "f")));
        Assert.Equal("x", File.ReadAllText(Path.Combine(_root, "hard")));
    }

    [Fact]
    public async Task Writing_a_tree_archives_links_as_links_and_never_opens_a_fifo()
    {
        Directory.CreateDirectory(Path.Combine(_root, "d", "sub"));
        File.WriteAllText(Path.Combine(_root, "d", "sub", "f"), "data");
        File.CreateSymbolicLink(Path.Combine(_root, "d", "l"), "/etc/shadow");
        PosixFiles.Mknod(Path.Combine(_root, "d", "fifo"), FileStatus.Fifo | 0x1A4, 0, 0);
        using var root = RootDirectory.Open(_root);
        using var fd = root.Open("/d", Libc.O_PATH | Libc.O_NOFOLLOW);
        var output = new MemoryStream();
        await TarTree.WriteAsync(fd, "d", output, CancellationToken.None);
        output.Position = 0;
        var entries = new List<(string, TarEntryType, string)>();
        await using var reader = new TarReader(output);
        while (await reader.GetNextEntryAsync(copyData: true) is { } e)
        {
            entries.Add((e.Name, e.EntryType, e.DataStream is { } s ? new StreamReader(s).ReadToEnd() : e.LinkName));
        }

        Assert.Equal(
            [("d/", TarEntryType.Directory, ""), ("d/fifo", TarEntryType.Fifo, ""), ("d/l", TarEntryType.SymbolicLink, "/etc/shadow"), ("d/sub/", TarEntryType.Directory, ""), ("d/sub/f", TarEntryType.RegularFile, "data")],
            entries);
    }
}
