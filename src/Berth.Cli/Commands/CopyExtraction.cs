using System.Formats.Tar;
using Berth.Core.Text;

namespace Berth.Cli.Commands;

/// <summary>
/// Extraction of the tar `cp CONTAINER:SRC DEST` receives. The archive comes from the container,
/// so it is hostile by assumption: every entry name, hard-link target and parent must stay inside
/// DEST, as docker's archive.Unpack requires. The CLI does not make system calls of its own, so
/// the guard is done with lstat checks made right before each step (only this process changes
/// DEST while it extracts): no component of a path is ever a symlink when something is made,
/// replaced or copied through it; a symlink already in place is replaced, never followed; files
/// are created with O_EXCL.
/// </summary>
internal static class CopyExtraction
{
    /// <param name="mapName">Archive name (relative, cleaned of "./" and slashes) to the name under DEST, or null to skip the entry.</param>
    public static async Task ExtractAsync(Stream tar, string root, Func<string, string?> mapName, bool keepOwner, CancellationToken cancellationToken)
    {
        var dest = Path.GetFullPath(root).TrimEnd('/');
        if (dest.Length == 0)
        {
            dest = "/";
        }

        var reader = new TarReader(tar);
        var dirTimes = new List<(string Path, DateTimeOffset Time)>();
        while (true)
        {
            TarEntry? entry;
            try
            {
                entry = await reader.GetNextEntryAsync(false, cancellationToken);
            }
            catch (EndOfStreamException)
            {
                // Some engines end the archive without the two zero blocks.
                break;
            }

            if (entry is null)
            {
                break;
            }

            if (entry.EntryType is TarEntryType.GlobalExtendedAttributes or TarEntryType.ExtendedAttributes)
            {
                continue;
            }

            var mapped = mapName(Trim(entry.Name));
            if (mapped is null)
            {
                continue;
            }

            var rel = Inside(mapped, entry.Name);
            var target = Join(dest, rel);
            PrepareParents(dest, rel, entry.Name);
            var existing = Lstat(target);
            var mode = (UnixFileMode)((int)entry.Mode & 0xFFF);
            switch (entry.EntryType)
            {
                case TarEntryType.Directory:
                    if (existing == Kind.Directory)
                    {
                        File.SetUnixFileMode(target, mode);
                    }
                    else
                    {
                        Remove(target, existing, entry.Name);
                        Directory.CreateDirectory(target);
                        File.SetUnixFileMode(target, mode);
                    }

                    dirTimes.Add((target, entry.ModificationTime));
                    break;
                case TarEntryType.SymbolicLink:
                    {
                        // As archive.Unpack: a relative link must not point out of DEST (an absolute one is
                        // taken as relative to DEST by a reader that respects it; we never follow either).
                        var linkDir = Path.GetDirectoryName(rel) ?? string.Empty;
                        if (!entry.LinkName.StartsWith('/') && RelativePath.Clean(Path.Join(linkDir, entry.LinkName)) is null)
                        {
                            throw new CliException($"invalid symlink \"{entry.Name}\" -> \"{entry.LinkName}\": it leaves the destination");
                        }

                        Remove(target, existing, entry.Name);
                        File.CreateSymbolicLink(target, entry.LinkName);
                        break;
                    }

                case TarEntryType.HardLink:
                    {
                        // A hard link names another entry of the archive, relative to DEST; it is copied.
                        var mappedLink = mapName(Trim(entry.LinkName)) ?? throw new CliException($"invalid hard link \"{entry.Name}\" -> \"{entry.LinkName}\"");
                        var linkRel = Inside(mappedLink, entry.LinkName);
                        PrepareParents(dest, linkRel, entry.LinkName, create: false);
                        var source = Join(dest, linkRel);
                        if (Lstat(source) != Kind.File)
                        {
                            throw new CliException($"invalid hard link \"{entry.Name}\" -> \"{entry.LinkName}\": not a regular file in the destination");
                        }

                        Remove(target, existing, entry.Name);
                        File.Copy(source, target, overwrite: false);
                        break;
                    }

                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                    {
                        Remove(target, existing, entry.Name);

                        // CreateNew is O_EXCL: it fails rather than follow a symlink someone put there.
                        var file = new FileStream(target, FileMode.CreateNew, FileAccess.Write);
                        await using (file)
                        {
                            if (entry.DataStream is not null)
                            {
                                await entry.DataStream.CopyToAsync(file, cancellationToken);
                            }

                            File.SetUnixFileMode(file.SafeFileHandle, mode);
                            File.SetLastWriteTimeUtc(file.SafeFileHandle, entry.ModificationTime.UtcDateTime);
                        }

                        break;
                    }

                default:
                    continue;
            }

            if (keepOwner && entry is PosixTarEntry posix)
            {
                Terminal.Posix.Chown(target, posix.Uid, posix.Gid);
            }
        }

        foreach (var (path, time) in dirTimes)
        {
            if (Lstat(path) == Kind.Directory)
            {
                Directory.SetLastWriteTimeUtc(path, time.UtcDateTime);
            }
        }
    }

    private enum Kind
    {
        Missing,
        Directory,
        File,
        Symlink,
    }

    /// <summary>An archive name without leading "/" and "./" and trailing "/".</summary>
    internal static string Trim(string name)
    {
        name = name.TrimStart('/');
        while (name.StartsWith("./", StringComparison.Ordinal))
        {
            name = name[2..].TrimStart('/');
        }

        return name.TrimEnd('/');
    }

    /// <summary>The name as a clean relative path inside DEST; a name that leaves DEST is refused.</summary>
    private static string Inside(string name, string original) =>
        RelativePath.Clean(name) is { Length: > 0 } rel ? rel : throw new CliException($"invalid archive entry \"{original}\": it leaves the destination");

    private static string Join(string dest, string rel) => dest == "/" ? "/" + rel : dest + "/" + rel;

    /// <summary>
    /// Walks the parents of <paramref name="rel"/> under DEST: each must be a real directory (made
    /// when missing and <paramref name="create"/>), never a symlink.
    /// </summary>
    private static void PrepareParents(string dest, string rel, string original, bool create = true)
    {
        var parts = rel.Split('/');
        var path = dest;
        for (var i = 0; i < parts.Length - 1; i++)
        {
            path = Join(path, parts[i]);
            switch (Lstat(path))
            {
                case Kind.Directory:
                    continue;
                case Kind.Missing when create:
                    Directory.CreateDirectory(path);
                    continue;
                case Kind.Symlink:
                    throw new CliException($"refusing to extract \"{original}\": \"{parts[i]}\" is a symbolic link");
                default:
                    throw new CliException($"cannot extract \"{original}\": \"{string.Join('/', parts[..(i + 1)])}\" is not a directory");
            }
        }
    }

    /// <summary>Removes what is at <paramref name="target"/> (a symlink itself, not what it points to); a directory is not replaced by a non-directory.</summary>
    private static void Remove(string target, Kind existing, string name)
    {
        switch (existing)
        {
            case Kind.Missing:
                return;
            case Kind.Directory:
                throw new CliException($"cannot overwrite directory \"{target}\" with non-directory \"{name}\"");
            default:
                File.Delete(target);
                return;
        }
    }

    /// <summary>What is at a path, symlinks not followed.</summary>
    private static Kind Lstat(string path)
    {
        var info = new FileInfo(path);
        if (info.LinkTarget is not null)
        {
            return Kind.Symlink;
        }

        if (info.Exists)
        {
            return Kind.File;
        }

        return Directory.Exists(path) ? Kind.Directory : Kind.Missing;
    }
}
