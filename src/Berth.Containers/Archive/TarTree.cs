using System.Formats.Tar;
using Berth.Platform.Files;
using Berth.Platform.Native;

namespace Berth.Containers.Archive;

/// <summary>Tar writing and extraction for docker cp; never follows a symlink out of the root it works in.</summary>
public static class TarTree
{
    /// <summary>Writes <paramref name="hostPath"/> (not followed if a symlink) and, for a directory, everything under it, named under <paramref name="name"/>.</summary>
    public static async Task WriteAsync(string hostPath, string name, Stream output, CancellationToken cancellationToken)
    {
        var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            await WriteEntryAsync(writer, hostPath, name, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task WriteEntryAsync(TarWriter writer, string hostPath, string name, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var st = PosixFiles.Lstat(hostPath);
        if ((st.Mode & FileStatus.TypeMask) == FileStatus.Socket)
        {
            return;
        }

        await writer.WriteEntryAsync(hostPath, st.IsDirectory ? name.TrimEnd('/') + "/" : name, ct).ConfigureAwait(false);
        if (!st.IsDirectory)
        {
            return;
        }

        foreach (var child in Directory.EnumerateFileSystemEntries(hostPath).Order(StringComparer.Ordinal))
        {
            await WriteEntryAsync(writer, child, name.TrimEnd('/') + "/" + Path.GetFileName(child), ct).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Extracts a tar into the directory <paramref name="dir"/> (a canonical in-root path). Each
    /// entry's parent is resolved inside the root again, so a symlink in the archive or already in
    /// the container cannot redirect a later entry outside the root.
    /// </summary>
    /// <param name="owner">Who owns what is extracted: null keeps each entry's uid/gid from the archive (docker cp -a).</param>
    public static async Task ExtractAsync(Stream input, string root, string dir, bool noOverwriteDirNonDir, (uint Uid, uint Gid)? owner, CancellationToken cancellationToken)
    {
        var reader = new TarReader(input, leaveOpen: true);
        await using (reader.ConfigureAwait(false))
        {
            while (await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false) is { } entry)
            {
                if (entry.EntryType is TarEntryType.GlobalExtendedAttributes or TarEntryType.ExtendedAttributes)
                {
                    continue;
                }

                var rel = Clean(entry.Name);
                if (rel is null)
                {
                    continue;
                }

                var slash = rel.LastIndexOf('/');
                var parentRel = slash < 0 ? string.Empty : rel[..slash];
                var leaf = slash < 0 ? rel : rel[(slash + 1)..];
                var parent = ScopedPath.Resolve(root, dir.TrimEnd('/') + "/" + parentRel, followFinal: true)
                    ?? throw new IOException($"extracting {entry.Name}: parent directory does not exist");
                var target = ScopedPath.HostPath(root, parent.TrimEnd('/') + "/" + leaf);
                var inRoot = parent.TrimEnd('/') + "/" + leaf;
                var existing = PosixFiles.TryLstat(target);
                var isDirEntry = entry.EntryType == TarEntryType.Directory;
                if (existing is { } ex)
                {
                    if (ex.IsDirectory && isDirEntry)
                    {
                        Chown(target, entry, owner);
                        PosixFiles.Chmod(target, (uint)entry.Mode);
                        continue;
                    }

                    if (noOverwriteDirNonDir && ex.IsDirectory != isDirEntry)
                    {
                        throw new InvalidOperationException($"cannot overwrite {(ex.IsDirectory ? "directory" : "non-directory")} \"{inRoot}\" with {(isDirEntry ? "directory" : "non-directory")} \"{entry.Name}\"");
                    }

                    if (ex.IsDirectory)
                    {
                        Directory.Delete(target, recursive: true);
                    }
                    else
                    {
                        File.Delete(target);
                    }
                }

                switch (entry.EntryType)
                {
                    case TarEntryType.Directory:
                        Directory.CreateDirectory(target);
                        break;
                    case TarEntryType.SymbolicLink:
                        File.CreateSymbolicLink(target, entry.LinkName);
                        break;
                    case TarEntryType.HardLink:
                        var linkTarget = ScopedPath.Resolve(root, dir.TrimEnd('/') + "/" + (Clean(entry.LinkName) ?? string.Empty), followFinal: false)
                            ?? throw new IOException($"extracting {entry.Name}: hard link target {entry.LinkName} does not exist");
                        PosixFiles.Link(ScopedPath.HostPath(root, linkTarget), target);
                        Chown(target, entry, owner);
                        continue;
                    case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                        // O_NOFOLLOW + RESOLVE_IN_ROOT: even a racing symlink swap cannot redirect the write.
                        using (var handle = SafeRoot.Open(root, inRoot, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_TRUNC | Libc.O_NOFOLLOW, 0x180))
                        using (var fs = new FileStream(handle, FileAccess.Write))
                        {
                            if (entry.DataStream is { } data)
                            {
                                await data.CopyToAsync(fs, cancellationToken).ConfigureAwait(false);
                            }
                        }

                        break;
                    case TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo:
                        var type = entry.EntryType switch
                        {
                            TarEntryType.CharacterDevice => FileStatus.CharDevice,
                            TarEntryType.BlockDevice => FileStatus.BlockDevice,
                            _ => FileStatus.Fifo,
                        };
                        PosixFiles.Mknod(target, type | (uint)entry.Mode, (uint)((PosixTarEntry)entry).DeviceMajor, (uint)((PosixTarEntry)entry).DeviceMinor);
                        break;
                    default:
                        continue;
                }

                // Owner first: chown clears set-id bits that the mode may then set again.
                Chown(target, entry, owner);
                if (entry.EntryType != TarEntryType.SymbolicLink)
                {
                    PosixFiles.Chmod(target, (uint)entry.Mode);
                }

                PosixFiles.SetTimesNoFollow(target, entry.ModificationTime, entry.ModificationTime);
            }
        }
    }

    private static void Chown(string target, TarEntry entry, (uint Uid, uint Gid)? owner)
    {
        var (uid, gid) = owner ?? (entry is PosixTarEntry p ? ((uint)p.Uid, (uint)p.Gid) : (0u, 0u));
        PosixFiles.Lchown(target, uid, gid);
    }

    /// <summary>An entry name as a relative path with no way up; null for the root itself or an escape.</summary>
    private static string? Clean(string name)
    {
        var parts = new List<string>();
        foreach (var p in name.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (p == ".")
            {
                continue;
            }

            if (p == "..")
            {
                if (parts.Count == 0)
                {
                    return null;
                }

                parts.RemoveAt(parts.Count - 1);
                continue;
            }

            parts.Add(p);
        }

        return parts.Count == 0 ? null : string.Join('/', parts);
    }
}
