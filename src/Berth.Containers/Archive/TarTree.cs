using System.Formats.Tar;
using Berth.Platform.Files;
using Berth.Platform.Native;
using Microsoft.Win32.SafeHandles;

namespace Berth.Containers.Archive;

/// <summary>
/// Tar writing and extraction for docker cp, on directory descriptors only: a path is resolved
/// in the container's root by the kernel (openat2 RESOLVE_IN_ROOT), and what is found is read,
/// listed, created or changed through descriptors and one-component *at calls that never follow
/// a final symlink. A container that swaps a directory for a symlink while this runs only ever
/// redirects the work to another place inside itself.
/// </summary>
public static class TarTree
{
    private const int ENOENT = 2;
    private const int EEXIST = 17;

    /// <summary>
    /// Writes what <paramref name="pathFd"/> (an O_PATH descriptor; a symlink is written as a link)
    /// refers to and, for a directory, everything under it, named under <paramref name="name"/>.
    /// </summary>
    public static async Task WriteAsync(SafeFileHandle pathFd, string name, Stream output, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pathFd);
        var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            await WriteEntryAsync(writer, pathFd, name, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task WriteEntryAsync(TarWriter writer, SafeFileHandle pathFd, string name, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        var st = PosixFiles.Fstat(pathFd);
        switch (st.Type)
        {
            case FileStatus.Directory:
                {
                    var dirName = name.TrimEnd('/') + "/";
                    await writer.WriteEntryAsync(Entry(TarEntryType.Directory, dirName, st), ct).ConfigureAwait(false);
                    using var dir = PosixFiles.Reopen(pathFd, Libc.O_RDONLY | Libc.O_DIRECTORY);
                    var names = PosixFiles.ReadDirectory(dir);
                    names.Sort(StringComparer.Ordinal);
                    foreach (var child in names)
                    {
                        SafeFileHandle childFd;
                        try
                        {
                            childFd = PosixFiles.OpenAt(dir, child, Libc.O_PATH);
                        }
                        catch (ErrnoException e) when (e.Errno == ENOENT)
                        {
                            continue; // Removed while we listed.
                        }

                        using (childFd)
                        {
                            await WriteEntryAsync(writer, childFd, dirName + child, ct).ConfigureAwait(false);
                        }
                    }

                    return;
                }

            case FileStatus.Regular:
                {
                    // The O_PATH descriptor was checked to be a regular file: reopening it cannot open a device or FIFO.
                    using var fd = PosixFiles.Reopen(pathFd, Libc.O_RDONLY);
                    var now = PosixFiles.Fstat(fd);
                    var entry = Entry(TarEntryType.RegularFile, name, now);
                    var file = new FileStream(fd, FileAccess.Read, 1);
                    await using (file.ConfigureAwait(false))
                    {
                        // Exactly the size the header gives, even if the container grows or truncates the file meanwhile.
                        entry.DataStream = new FixedLengthStream(file, now.Size);
                        await writer.WriteEntryAsync(entry, ct).ConfigureAwait(false);
                    }

                    return;
                }

            case FileStatus.Symlink:
                {
                    var entry = Entry(TarEntryType.SymbolicLink, name, st);
                    entry.LinkName = PosixFiles.ReadLink(pathFd);
                    await writer.WriteEntryAsync(entry, ct).ConfigureAwait(false);
                    return;
                }

            case FileStatus.CharDevice or FileStatus.BlockDevice:
                {
                    var entry = Entry(st.Type == FileStatus.CharDevice ? TarEntryType.CharacterDevice : TarEntryType.BlockDevice, name, st);
                    entry.DeviceMajor = (int)st.RdevMajor;
                    entry.DeviceMinor = (int)st.RdevMinor;
                    await writer.WriteEntryAsync(entry, ct).ConfigureAwait(false);
                    return;
                }

            case FileStatus.Fifo:
                await writer.WriteEntryAsync(Entry(TarEntryType.Fifo, name, st), ct).ConfigureAwait(false);
                return;

            default:
                return; // Sockets are not archived (as Docker).
        }
    }

    private static PaxTarEntry Entry(TarEntryType type, string name, FileStatus st) => new(type, name)
    {
        Mode = (UnixFileMode)st.Permissions,
        Uid = (int)st.Uid,
        Gid = (int)st.Gid,
        ModificationTime = st.Mtime,
    };

    /// <summary>
    /// Extracts a tar into the directory <paramref name="dir"/> (a path in the container). Each
    /// entry's parent is looked up inside the root again (so a symlink in the archive or in the
    /// container resolves as the container sees it), and the entry is made in that parent's
    /// descriptor by name, never following a symlink.
    /// </summary>
    /// <param name="owner">Who owns what is extracted: null keeps each entry's uid/gid from the archive (docker cp -a).</param>
    public static async Task ExtractAsync(Stream input, RootDirectory root, string dir, bool noOverwriteDirNonDir, (uint Uid, uint Gid)? owner, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(root);
        var reader = new TarReader(input, leaveOpen: true);
        var dirTimes = new List<(string Rel, DateTimeOffset Time)>();
        var parents = new ParentCache(root, dir.TrimEnd('/'), owner ?? (0, 0));
        try
        {
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
                    var leaf = slash < 0 ? rel : rel[(slash + 1)..];
                    var parent = parents.Get(slash < 0 ? string.Empty : rel[..slash]);
                    if (await ExtractEntryAsync(entry, root, dir, parent, leaf, rel, noOverwriteDirNonDir, owner, cancellationToken).ConfigureAwait(false))
                    {
                        dirTimes.Add((rel, entry.ModificationTime));
                    }
                }
            }

            // Directory times last: every entry made inside a directory changed its mtime.
            foreach (var (rel, time) in dirTimes)
            {
                var slash = rel.LastIndexOf('/');
                using var parent = root.TryOpen(dir.TrimEnd('/') + "/" + (slash < 0 ? string.Empty : rel[..slash]), Libc.O_PATH | Libc.O_DIRECTORY);
                var leaf = slash < 0 ? rel : rel[(slash + 1)..];
                if (parent is not null && PosixFiles.TryStatAt(parent, leaf) is { IsDirectory: true })
                {
                    PosixFiles.SetTimesAt(parent, leaf, time, time);
                }
            }
        }
        finally
        {
            parents.Dispose();
        }
    }

    /// <summary>Makes one entry; true for a directory entry (its times are set at the end).</summary>
    private static async Task<bool> ExtractEntryAsync(TarEntry entry, RootDirectory root, string dir, SafeFileHandle parent, string leaf, string rel, bool noOverwriteDirNonDir, (uint Uid, uint Gid)? owner, CancellationToken ct)
    {
        var (uid, gid) = owner ?? (entry is PosixTarEntry p ? ((uint)p.Uid, (uint)p.Gid) : (0u, 0u));
        var mode = (uint)entry.Mode & 0xFFF;
        var isDirEntry = entry.EntryType == TarEntryType.Directory;
        if (PosixFiles.TryStatAt(parent, leaf) is { } existing)
        {
            if (existing.IsDirectory && isDirEntry)
            {
                PosixFiles.LchownAt(parent, leaf, uid, gid);
                PosixFiles.ChmodAt(parent, leaf, mode);
                return true;
            }

            if (noOverwriteDirNonDir && existing.IsDirectory != isDirEntry)
            {
                var inRoot = dir.TrimEnd('/') + "/" + rel;
                throw new InvalidOperationException($"cannot overwrite {(existing.IsDirectory ? "directory" : "non-directory")} \"{inRoot}\" with {(isDirEntry ? "directory" : "non-directory")} \"{entry.Name}\"");
            }

            PosixFiles.RemoveAllAt(parent, leaf);
        }

        switch (entry.EntryType)
        {
            case TarEntryType.Directory:
                PosixFiles.MkdirAt(parent, leaf, 0x1C0);
                break;
            case TarEntryType.SymbolicLink:
                PosixFiles.SymlinkAt(entry.LinkName, parent, leaf);
                PosixFiles.LchownAt(parent, leaf, uid, gid);
                PosixFiles.SetTimesAt(parent, leaf, entry.ModificationTime, entry.ModificationTime);
                return false;
            case TarEntryType.HardLink:
                {
                    // The link target is named relative to the extraction directory, resolved in the root, not followed.
                    var target = Clean(entry.LinkName) ?? throw new InvalidOperationException($"extracting {entry.Name}: invalid hard link target {entry.LinkName}");
                    using var existingFd = root.TryOpen(dir.TrimEnd('/') + "/" + target, Libc.O_PATH | Libc.O_NOFOLLOW)
                        ?? throw new FileNotFoundException($"extracting {entry.Name}: hard link target {entry.LinkName} does not exist");
                    if (PosixFiles.Fstat(existingFd).IsDirectory)
                    {
                        throw new InvalidOperationException($"extracting {entry.Name}: hard link target {entry.LinkName} is a directory");
                    }

                    PosixFiles.LinkAt(existingFd, parent, leaf);
                    PosixFiles.LchownAt(parent, leaf, uid, gid);
                    return false;
                }

            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                {
                    // O_EXCL | O_NOFOLLOW in the parent's descriptor: the file we write is the one we just made.
                    using var fd = PosixFiles.OpenAt(parent, leaf, Libc.O_WRONLY | Libc.O_CREAT | O_EXCL, 0x180);
                    var fs = new FileStream(fd, FileAccess.Write, 1);
                    await using (fs.ConfigureAwait(false))
                    {
                        if (entry.DataStream is { } data)
                        {
                            await data.CopyToAsync(fs, ct).ConfigureAwait(false);
                        }

                        await fs.FlushAsync(ct).ConfigureAwait(false);

                        // Owner first: chown clears set-id bits that the mode may then set again.
                        PosixFiles.Fchown(fd, uid, gid);
                        PosixFiles.Fchmod(fd, mode);
                        PosixFiles.SetTimes(fd, entry.ModificationTime, entry.ModificationTime);
                    }

                    return false;
                }

            case TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo:
                {
                    var type = entry.EntryType switch
                    {
                        TarEntryType.CharacterDevice => FileStatus.CharDevice,
                        TarEntryType.BlockDevice => FileStatus.BlockDevice,
                        _ => FileStatus.Fifo,
                    };
                    var posix = (PosixTarEntry)entry;
                    PosixFiles.MknodAt(parent, leaf, type | 0x180, (uint)posix.DeviceMajor, (uint)posix.DeviceMinor);
                    break;
                }

            default:
                return false;
        }

        PosixFiles.LchownAt(parent, leaf, uid, gid);
        PosixFiles.ChmodAt(parent, leaf, mode);
        if (!isDirEntry)
        {
            PosixFiles.SetTimesAt(parent, leaf, entry.ModificationTime, entry.ModificationTime);
        }

        return isDirEntry;
    }

    private const int O_EXCL = 0x80;

    /// <summary>An entry name as a relative path with no way up; null for the root itself or an escape.</summary>
    internal static string? Clean(string name) => Berth.Core.Text.RelativePath.Clean(name) is { Length: > 0 } rel ? rel : null;

    /// <summary>
    /// The descriptor of the last parent directory used (entries of one directory come together in
    /// a tar); a missing parent is made, as Docker's extraction does (mode 0755, the extraction owner).
    /// </summary>
    private sealed class ParentCache(RootDirectory root, string dir, (uint Uid, uint Gid) owner) : IDisposable
    {
        private string? _rel;
        private SafeFileHandle? _fd;

        public SafeFileHandle Get(string rel)
        {
            if (_fd is not null && _rel == rel)
            {
                return _fd;
            }

            _fd?.Dispose();
            _fd = null;
            _fd = root.TryOpen(dir + "/" + rel, Libc.O_PATH | Libc.O_DIRECTORY) ?? MakeParents(rel);
            _rel = rel;
            return _fd;
        }

        public void Dispose() => _fd?.Dispose();

        private SafeFileHandle MakeParents(string rel)
        {
            var current = root.TryOpen(dir, Libc.O_PATH | Libc.O_DIRECTORY)
                ?? throw new FileNotFoundException($"extracting into {dir}: no such directory");
            var path = dir;
            foreach (var part in rel.Split('/'))
            {
                path += "/" + part;
                var next = root.TryOpen(path, Libc.O_PATH | Libc.O_DIRECTORY);
                if (next is null)
                {
                    try
                    {
                        PosixFiles.MkdirAt(current, part, 0x1ED);
                        PosixFiles.LchownAt(current, part, owner.Uid, owner.Gid);
                    }
                    catch (ErrnoException e) when (e.Errno == EEXIST)
                    {
                    }

                    next = root.TryOpen(path, Libc.O_PATH | Libc.O_DIRECTORY);
                }

                current.Dispose();
                current = next ?? throw new FileNotFoundException($"extracting {path}: parent directory does not exist");
            }

            return current;
        }
    }
}
