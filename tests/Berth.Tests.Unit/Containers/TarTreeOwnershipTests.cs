using System.Formats.Tar;
using Berth.Containers.Archive;
using Berth.Platform.Files;

namespace Berth.Tests.Unit.Containers;

/// <summary>Who owns what docker cp extracts (the tests run as root, as the engine does).</summary>
public sealed class TarTreeOwnershipTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("berth-tarown-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    private static async Task<MemoryStream> ArchiveAsync()
    {
        var tar = new MemoryStream();
        await using (var w = new TarWriter(tar, leaveOpen: true))
        {
            await w.WriteEntryAsync(new PaxTarEntry(TarEntryType.Directory, "d/") { Uid = 1234, Gid = 5678, Mode = (UnixFileMode)0x1ED });
            await w.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, "d/f") { Uid = 1234, Gid = 5678, Mode = (UnixFileMode)0x9ED, DataStream = new MemoryStream("x"u8.ToArray()) });
            await w.WriteEntryAsync(new PaxTarEntry(TarEntryType.SymbolicLink, "d/l") { Uid = 42, Gid = 43, LinkName = "f" });
        }

        tar.Position = 0;
        return tar;
    }

    private async Task ExtractAsync(string dir, bool noOverwriteDirNonDir, (uint, uint)? owner, CancellationToken cancellationToken)
    {
        using var root = RootDirectory.Open(_root);
        await TarTree.ExtractAsync(await ArchiveAsync(), root, dir, noOverwriteDirNonDir, owner, cancellationToken);
    }

    [Fact]
    public async Task Without_archive_mode_everything_belongs_to_the_given_owner()
    {
        await ExtractAsync("/", noOverwriteDirNonDir: false, owner: (7u, 8u), CancellationToken.None);
        foreach (var p in new[] { "d", "d/f", "d/l" })
        {
            var st = PosixFiles.Lstat(Path.Combine(_root, p));
            Assert.Equal((7u, 8u), (st.Uid, st.Gid));
        }
    }

    [Fact]
    public async Task Archive_mode_keeps_each_entrys_uid_and_gid_and_set_id_bits_survive()
    {
        await ExtractAsync("/", noOverwriteDirNonDir: false, owner: null, CancellationToken.None);
        var dir = PosixFiles.Lstat(Path.Combine(_root, "d"));
        var file = PosixFiles.Lstat(Path.Combine(_root, "d/f"));
        var link = PosixFiles.Lstat(Path.Combine(_root, "d/l"));
        Assert.Equal((1234u, 5678u), (dir.Uid, dir.Gid));
        Assert.Equal((1234u, 5678u), (file.Uid, file.Gid));
        Assert.Equal((42u, 43u), (link.Uid, link.Gid));

        // chown clears setuid; the mode is applied after it, so 04755 stays 04755.
        Assert.Equal(0x9EDu, file.Mode & 0xFFF);

        // Extracting again onto the existing directory re-applies the owner.
        await ExtractAsync("/", noOverwriteDirNonDir: false, owner: (0u, 0u), CancellationToken.None);
        Assert.Equal((0u, 0u), (PosixFiles.Lstat(Path.Combine(_root, "d")).Uid, PosixFiles.Lstat(Path.Combine(_root, "d")).Gid));
    }
}
