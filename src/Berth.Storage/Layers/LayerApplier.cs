using System.Formats.Tar;
using System.Text;
using Berth.Core.Errors;
using Berth.Platform.Files;

namespace Berth.Storage.Layers;

/// <summary>
/// Unpacks one layer tar (already decompressed) into an empty overlayfs layer directory, safely:
/// no entry can create, change or link anything outside <c>root</c>. Names are cleaned lexically
/// ("..", "." and absolute prefixes), and every parent directory is resolved component by component
/// without letting the kernel follow a symlink: a relative symlink that stays inside the layer is
/// followed by hand (RESOLVE_BENEATH semantics), an absolute one or one climbing out is refused.
/// Hard-link targets go through the same resolution. Ownership, modes (with setuid/setgid/sticky),
/// times, xattrs (PAX SCHILY.xattr), device nodes, FIFOs and hard links are preserved. Docker's
/// whiteouts become overlayfs ones: ".wh.NAME" a 0/0 character device, ".wh..wh..opq" the
/// trusted.overlay.opaque=y xattr on the directory. The stream may be unseekable.
/// </summary>
public sealed class LayerApplier
{
    private const string WhiteoutPrefix = ".wh.";
    private const string OpaqueWhiteout = ".wh..wh..opq";
    private const int MaxSymlinkHops = 40;
    private const uint DefaultDirMode = 0x1ED; // 0755

    private readonly string _root;
    private readonly Dictionary<string, string> _dirs = new(StringComparer.Ordinal);
    private readonly List<(string Path, DateTimeOffset Atime, DateTimeOffset Mtime)> _dirTimes = [];

    private LayerApplier(string root)
    {
        _root = root.TrimEnd('/');
    }

    /// <summary>
    /// Applies <paramref name="tar"/> into <paramref name="root"/> (which must exist) and returns the
    /// layer's size: the sum of the sizes of its regular files, as Docker reports it.
    /// Throws BerthException(InvalidArgument) for a hostile or malformed archive.
    /// </summary>
    public static async Task<long> ApplyAsync(Stream tar, string root, CancellationToken cancellationToken)
    {
        var applier = new LayerApplier(root);
        return await applier.RunAsync(tar, cancellationToken).ConfigureAwait(false);
    }

    private async Task<long> RunAsync(Stream tar, CancellationToken ct)
    {
        long size = 0;
        using var reader = new TarReader(tar, leaveOpen: true);
        while (true)
        {
            TarEntry? entry;
            try
            {
                entry = await reader.GetNextEntryAsync(copyData: false, ct).ConfigureAwait(false);
            }
            // System.Formats.Tar throws OverflowException for numeric fields (base-256 sizes, PAX
            // times) too large for their type: hostile input like the rest (found by fuzzing).
            catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException or OverflowException)
            {
                throw BerthException.Invalid($"invalid layer archive: {e.Message}");
            }

            if (entry is null)
            {
                break;
            }

            try
            {
                size += await ApplyEntryAsync(entry, ct).ConfigureAwait(false);
            }
            catch (IOException e)
            {
                throw BerthException.Invalid($"failed to extract layer entry {entry.Name}: {e.Message}");
            }
            catch (UnauthorizedAccessException e)
            {
                throw BerthException.Invalid($"failed to extract layer entry {entry.Name}: {e.Message}");
            }
        }

        // Children change their directory's mtime: set directory times last, deepest first.
        for (var i = _dirTimes.Count - 1; i >= 0; i--)
        {
            var (p, a, m) = _dirTimes[i];
            PosixFiles.SetTimesNoFollow(p, a, m);
        }

        return size;
    }

    private async Task<long> ApplyEntryAsync(TarEntry entry, CancellationToken ct)
    {
        if (entry.EntryType is TarEntryType.GlobalExtendedAttributes)
        {
            return 0;
        }

        var comps = CleanPath(entry.Name);
        if (comps.Count == 0)
        {
            if (entry.EntryType != TarEntryType.Directory)
            {
                throw Breakout(entry.Name, "is not a valid entry name");
            }

            ApplyMetadata(_root, entry, isSymlink: false, isDirectory: true);
            return 0;
        }

        var name = comps[^1];
        if (name.StartsWith(WhiteoutPrefix, StringComparison.Ordinal))
        {
            ApplyWhiteout(entry, comps);
            return 0;
        }

        var parent = ResolveDirectory(comps, comps.Count - 1, create: true, entry.Name);
        var path = parent + "/" + name;
        var existing = PosixFiles.TryLstat(path);
        if (existing is { } st && !(st.IsDirectory && entry.EntryType == TarEntryType.Directory))
        {
            RemovePath(path, st);
        }

        long size = 0;
        switch (entry.EntryType)
        {
            case TarEntryType.Directory:
                if (existing is not { IsDirectory: true })
                {
                    Directory.CreateDirectory(path);
                }

                _dirs[string.Join('/', comps)] = path;
                break;

            case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0, PreallocationSize = entry.Length > 0 ? entry.Length : 0 };
                var file = new FileStream(path, options);
                await using (file.ConfigureAwait(false))
                {
                    if (entry.DataStream is { } data)
                    {
                        await data.CopyToAsync(file, 1 << 20, ct).ConfigureAwait(false);
                    }
                }

                size = entry.Length;
                break;

            case TarEntryType.SymbolicLink:
                if (entry.LinkName.Contains('\0', StringComparison.Ordinal) || entry.LinkName.Length == 0)
                {
                    throw Breakout(entry.Name, "has an invalid symlink target");
                }

                File.CreateSymbolicLink(path, entry.LinkName);
                ApplyMetadata(path, entry, isSymlink: true, isDirectory: false);
                return 0;

            case TarEntryType.HardLink:
                var target = ResolveLinkTarget(entry);
                PosixFiles.Link(target, path);
                return 0; // same inode as the target: its metadata is already set

            case TarEntryType.CharacterDevice or TarEntryType.BlockDevice or TarEntryType.Fifo:
                var type = entry.EntryType switch
                {
                    TarEntryType.CharacterDevice => FileStatus.CharDevice,
                    TarEntryType.BlockDevice => FileStatus.BlockDevice,
                    _ => FileStatus.Fifo,
                };
                var (major, minor) = entry is PosixTarEntry p ? ((uint)p.DeviceMajor, (uint)p.DeviceMinor) : (0u, 0u);
                PosixFiles.Mknod(path, type | ((uint)entry.Mode & 0xFFF), major, minor);
                break;

            default:
                throw BerthException.Invalid($"unhandled tar header type {entry.EntryType} for {entry.Name}");
        }

        ApplyMetadata(path, entry, isSymlink: false, isDirectory: entry.EntryType == TarEntryType.Directory);
        return size;
    }

    private void ApplyWhiteout(TarEntry entry, List<string> comps)
    {
        var name = comps[^1];
        var parent = ResolveDirectory(comps, comps.Count - 1, create: true, entry.Name);
        if (name == OpaqueWhiteout)
        {
            // Everything below this directory in lower layers is hidden.
            PosixFiles.SetXattr(parent, "trusted.overlay.opaque", "y"u8);
            return;
        }

        if (name.StartsWith(WhiteoutPrefix + WhiteoutPrefix, StringComparison.Ordinal))
        {
            return; // other ".wh..wh." entries are aufs bookkeeping (e.g. .wh..wh.plnk): nothing to do
        }

        var hidden = name[WhiteoutPrefix.Length..];
        if (hidden.Length == 0 || hidden is "." or "..")
        {
            throw Breakout(entry.Name, "is not a valid whiteout");
        }

        var path = parent + "/" + hidden;
        if (PosixFiles.TryLstat(path) is { } st)
        {
            RemovePath(path, st);
        }

        PosixFiles.Mknod(path, FileStatus.CharDevice, 0, 0);
        PosixFiles.Lchown(path, (uint)entry.Uid, (uint)entry.Gid);
    }

    private string ResolveLinkTarget(TarEntry entry)
    {
        var comps = CleanPath(entry.LinkName);
        if (comps.Count == 0)
        {
            throw Breakout(entry.Name, $"hard link target {entry.LinkName} is not a file");
        }

        var parent = ResolveDirectory(comps, comps.Count - 1, create: false, entry.Name);
        var target = parent + "/" + comps[^1];
        var st = PosixFiles.TryLstat(target)
            ?? throw BerthException.Invalid($"invalid layer archive: hard link {entry.Name} points to {entry.LinkName}, which is not in the layer");
        if (st.IsDirectory)
        {
            throw BerthException.Invalid($"invalid layer archive: hard link {entry.Name} points to directory {entry.LinkName}");
        }

        return target;
    }

    /// <summary>
    /// Returns the real path (no symlinks) of the directory named by comps[0..count), creating missing
    /// directories (0755, root) when <paramref name="create"/>. Symlinks met on the way are followed
    /// only while they stay beneath the layer root.
    /// </summary>
    private string ResolveDirectory(List<string> comps, int count, bool create, string entryName)
    {
        if (count == 0)
        {
            return _root;
        }

        var key = string.Join('/', comps.Take(count));
        if (_dirs.TryGetValue(key, out var known))
        {
            return known;
        }

        var real = new List<string>();
        var pending = new LinkedList<string>(comps.Take(count));
        var hops = 0;
        while (pending.First is { } node)
        {
            var c = node.Value;
            pending.RemoveFirst();
            if (c == "..")
            {
                if (real.Count == 0)
                {
                    throw Breakout(entryName, "resolves outside of the layer through a symlink");
                }

                real.RemoveAt(real.Count - 1);
                continue;
            }

            var candidate = _root + "/" + string.Join('/', real) + (real.Count > 0 ? "/" : string.Empty) + c;
            var st = PosixFiles.TryLstat(candidate);
            if (st is null)
            {
                if (!create)
                {
                    throw BerthException.Invalid($"invalid layer archive: {entryName}: {string.Join('/', real.Append(c))} does not exist in the layer");
                }

                Directory.CreateDirectory(candidate);
                PosixFiles.Chmod(candidate, DefaultDirMode);
                real.Add(c);
            }
            else if (st.Value.IsDirectory)
            {
                real.Add(c);
            }
            else if (st.Value.IsSymlink)
            {
                if (++hops > MaxSymlinkHops)
                {
                    throw Breakout(entryName, "has too many levels of symbolic links");
                }

                var link = new FileInfo(candidate).LinkTarget ?? string.Empty;
                if (link.StartsWith('/'))
                {
                    throw Breakout(entryName, $"goes through absolute symlink {string.Join('/', real.Append(c))} -> {link}");
                }

                var segments = link.Split('/', StringSplitOptions.RemoveEmptyEntries);
                for (var i = segments.Length - 1; i >= 0; i--)
                {
                    if (segments[i] != ".")
                    {
                        pending.AddFirst(segments[i]);
                    }
                }
            }
            else
            {
                throw BerthException.Invalid($"invalid layer archive: {entryName}: {string.Join('/', real.Append(c))} is not a directory");
            }
        }

        var result = real.Count == 0 ? _root : _root + "/" + string.Join('/', real);
        _dirs[key] = result;
        return result;
    }

    private void RemovePath(string path, FileStatus st)
    {
        _dirs.Clear(); // a cached directory may have been this path or below it
        if (st.IsDirectory)
        {
            Directory.Delete(path, recursive: true);
        }
        else
        {
            File.Delete(path);
        }
    }

    private void ApplyMetadata(string path, TarEntry entry, bool isSymlink, bool isDirectory)
    {
        PosixFiles.Lchown(path, (uint)entry.Uid, (uint)entry.Gid);
        if (!isSymlink)
        {
            // after chown, which clears setuid/setgid bits
            PosixFiles.Chmod(path, (uint)entry.Mode);
        }

        if (entry is PaxTarEntry pax)
        {
            foreach (var (key, value) in pax.ExtendedAttributes)
            {
                if (key.StartsWith("SCHILY.xattr.", StringComparison.Ordinal))
                {
                    SetXattrTolerant(path, key["SCHILY.xattr.".Length..], Encoding.UTF8.GetBytes(value));
                }
            }
        }

        var mtime = entry.ModificationTime;
        var atime = entry switch
        {
            PaxTarEntry p when p.ExtendedAttributes.ContainsKey("atime") => ParsePaxTime(p.ExtendedAttributes["atime"]) ?? mtime,
            GnuTarEntry g when g.AccessTime != default => g.AccessTime,
            _ => mtime,
        };
        if (isDirectory)
        {
            _dirTimes.Add((path, atime, mtime));
        }
        else
        {
            PosixFiles.SetTimesNoFollow(path, atime, mtime);
        }
    }

    private static void SetXattrTolerant(string path, string name, byte[] value)
    {
        try
        {
            PosixFiles.SetXattr(path, name, value);
        }
        catch (IOException e) when (e.HResult is 95 or 1)
        {
            // ENOTSUP / EPERM: the backing file system refuses this namespace; Docker skips it too.
        }
    }

    private static DateTimeOffset? ParsePaxTime(string s) =>
        decimal.TryParse(s, System.Globalization.NumberStyles.AllowDecimalPoint | System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var secs)
            ? DateTimeOffset.UnixEpoch.AddTicks((long)(secs * TimeSpan.TicksPerSecond))
            : null;

    /// <summary>
    /// Splits an archive name into clean components: "." and empty parts dropped, leading "/" ignored,
    /// ".." applied lexically; climbing above the root is a breakout.
    /// </summary>
    public static List<string> CleanPath(string name)
    {
        if (name.Contains('\0', StringComparison.Ordinal))
        {
            throw Breakout(name, "contains a NUL byte");
        }

        var parts = new List<string>();
        foreach (var seg in name.Split('/'))
        {
            if (seg.Length == 0 || seg == ".")
            {
                continue;
            }

            if (seg == "..")
            {
                if (parts.Count == 0)
                {
                    throw Breakout(name, "is outside of the layer root");
                }

                parts.RemoveAt(parts.Count - 1);
                continue;
            }

            parts.Add(seg);
        }

        return parts;
    }

    private static BerthException Breakout(string name, string why) =>
        BerthException.Invalid($"invalid layer archive: {name} {why}");
}
