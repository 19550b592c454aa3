using System.Formats.Tar;
using System.Text;
using Berth.Platform.Files;

namespace Berth.Storage.Layers;

/// <summary>
/// Writes the changes held in an overlayfs upper directory as a Docker layer tar (PAX): overlay
/// whiteouts (0/0 character devices) become ".wh.NAME" files, opaque directories get a
/// ".wh..wh..opq" entry, hard links inside the directory stay hard links, sockets are skipped
/// and overlay's own trusted.overlay.* xattrs are not exported. Entries are sorted by name, so the
/// same tree gives the same bytes.
/// </summary>
public static class LayerDiff
{
    private const string OverlayXattrPrefix = "trusted.overlay.";

    public static async Task WriteAsync(string upperDir, Stream output, CancellationToken cancellationToken)
    {
        var writer = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        await using (writer.ConfigureAwait(false))
        {
            var links = new Dictionary<(ulong Dev, ulong Ino), string>();
            await WriteDirectoryAsync(writer, upperDir.TrimEnd('/'), string.Empty, links, cancellationToken).ConfigureAwait(false);
        }
    }

    private static async Task WriteDirectoryAsync(TarWriter writer, string dir, string prefix, Dictionary<(ulong, ulong), string> links, CancellationToken ct)
    {
        var names = Directory.EnumerateFileSystemEntries(dir).Select(Path.GetFileName).OfType<string>().Order(StringComparer.Ordinal).ToList();
        foreach (var name in names)
        {
            ct.ThrowIfCancellationRequested();
            var path = dir + "/" + name;
            var st = PosixFiles.Lstat(path);
            var rel = prefix + name;
            if (st.IsWhiteout)
            {
                var wh = new PaxTarEntry(TarEntryType.RegularFile, prefix + ".wh." + name)
                {
                    Mode = (UnixFileMode)0x180, // 0600
                    Uid = (int)st.Uid,
                    Gid = (int)st.Gid,
                    ModificationTime = st.Mtime,
                };
                await writer.WriteEntryAsync(wh, ct).ConfigureAwait(false);
                continue;
            }

            switch (st.Type)
            {
                case FileStatus.Directory:
                    await writer.WriteEntryAsync(Entry(TarEntryType.Directory, rel + "/", path, st), ct).ConfigureAwait(false);
                    if (PosixFiles.GetXattr(path, "trusted.overlay.opaque") is { } v && v.AsSpan().SequenceEqual("y"u8))
                    {
                        var opq = new PaxTarEntry(TarEntryType.RegularFile, rel + "/.wh..wh..opq")
                        {
                            Mode = (UnixFileMode)(st.Permissions & 0x1FF),
                            Uid = (int)st.Uid,
                            Gid = (int)st.Gid,
                            ModificationTime = st.Mtime,
                        };
                        await writer.WriteEntryAsync(opq, ct).ConfigureAwait(false);
                    }

                    await WriteDirectoryAsync(writer, path, rel + "/", links, ct).ConfigureAwait(false);
                    break;

                case FileStatus.Regular:
                    if (st.Nlink > 1)
                    {
                        if (links.TryGetValue((st.Device, st.Inode), out var first))
                        {
                            var hl = Entry(TarEntryType.HardLink, rel, path, st);
                            hl.LinkName = first;
                            await writer.WriteEntryAsync(hl, ct).ConfigureAwait(false);
                            break;
                        }

                        links[(st.Device, st.Inode)] = rel;
                    }

                    var file = Entry(TarEntryType.RegularFile, rel, path, st);
                    var data = new FileStream(path, new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, BufferSize = 0, Options = FileOptions.SequentialScan });
                    await using (data.ConfigureAwait(false))
                    {
                        file.DataStream = data;
                        await writer.WriteEntryAsync(file, ct).ConfigureAwait(false);
                    }

                    break;

                case FileStatus.Symlink:
                    var sl = Entry(TarEntryType.SymbolicLink, rel, path, st);
                    sl.LinkName = new FileInfo(path).LinkTarget ?? string.Empty;
                    await writer.WriteEntryAsync(sl, ct).ConfigureAwait(false);
                    break;

                case FileStatus.CharDevice or FileStatus.BlockDevice or FileStatus.Fifo:
                    var type = st.Type switch
                    {
                        FileStatus.CharDevice => TarEntryType.CharacterDevice,
                        FileStatus.BlockDevice => TarEntryType.BlockDevice,
                        _ => TarEntryType.Fifo,
                    };
                    var dev = Entry(type, rel, path, st);
                    if (type != TarEntryType.Fifo)
                    {
                        dev.DeviceMajor = (int)st.RdevMajor;
                        dev.DeviceMinor = (int)st.RdevMinor;
                    }

                    await writer.WriteEntryAsync(dev, ct).ConfigureAwait(false);
                    break;

                default:
                    break; // sockets are not part of an image, as in Docker
            }
        }
    }

    private static PaxTarEntry Entry(TarEntryType type, string name, string path, FileStatus st)
    {
        var attrs = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var x in PosixFiles.ListXattrs(path))
        {
            if (x.StartsWith(OverlayXattrPrefix, StringComparison.Ordinal))
            {
                continue;
            }

            if (PosixFiles.GetXattr(path, x) is { } value)
            {
                attrs["SCHILY.xattr." + x] = Encoding.UTF8.GetString(value);
            }
        }

        return new PaxTarEntry(type, name, attrs)
        {
            Mode = (UnixFileMode)st.Permissions,
            Uid = (int)st.Uid,
            Gid = (int)st.Gid,
            ModificationTime = st.Mtime,
        };
    }
}
