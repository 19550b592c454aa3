namespace Berth.Platform.Files;

/// <summary>
/// The one way Berth replaces a record file (container records, network and sandbox records,
/// volume metadata, OCI bundles, monitor configs, exit records): the content goes to a temporary
/// file in the same directory, created with the final mode, is fsync'd, renamed over the target,
/// and the directory is fsync'd. After a crash at any point the target holds either the old or
/// the new content, never a prefix of it: ext4 without a journal (and with data=writeback)
/// does not order a rename after the data it names, so without the file fsync a crash can leave
/// a zero-length record; without the directory fsync the rename itself can be lost.
/// A failed write removes its temporary file and leaves the old target untouched. Temporary files
/// left by a crash carry <see cref="TemporaryMarker"/>; owners delete them at start
/// (<see cref="RemoveLeftovers"/>).
/// State that describes processes and kernel objects (OCI bundles, monitor configs, exit records,
/// network sandboxes) does not outlive the machine: it needs the atomic replacement (a crash of
/// berthd or of a monitor must never leave half a file) but not the fsyncs, which guard only
/// against losing power. <see cref="WriteRuntimeState"/> writes it; each fsync pair costs a
/// `run` several milliseconds on a disk without a write cache (docs/PERFORMANCE.md).
/// </summary>
public static class AtomicFile
{
    /// <summary>Part of every temporary file's name: "&lt;name&gt;.tmp-&lt;random&gt;".</summary>
    public const string TemporaryMarker = ".tmp-";

    /// <summary>Records hold secrets (a container's environment): only their owner reads them.</summary>
    public const UnixFileMode PrivateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>Replaces <paramref name="path"/> with <paramref name="content"/> durably.</summary>
    public static void Write(string path, ReadOnlySpan<byte> content, UnixFileMode mode = PrivateMode) => Write(path, content, mode, durable: true);

    /// <summary>
    /// Replaces <paramref name="path"/> with <paramref name="content"/> atomically, without the
    /// fsyncs: for state that a reboot makes meaningless anyway (see the class remarks).
    /// </summary>
    public static void WriteRuntimeState(string path, ReadOnlySpan<byte> content, UnixFileMode mode = PrivateMode) => Write(path, content, mode, durable: false);

    private static void Write(string path, ReadOnlySpan<byte> content, UnixFileMode mode, bool durable)
    {
        var temp = CreateTemporary(path, mode, 0, out var stream);
        try
        {
            using (stream)
            {
                stream.Write(content);
                stream.Flush(flushToDisk: durable);
            }

            Publish(temp, path, durable);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>
    /// Replaces <paramref name="path"/> with what <paramref name="writeContent"/> writes (a serializer
    /// writing straight to the file). An exception from it leaves the old file as it was.
    /// </summary>
    public static void Write(string path, Action<Stream> writeContent, UnixFileMode mode = PrivateMode)
    {
        ArgumentNullException.ThrowIfNull(writeContent);
        var temp = CreateTemporary(path, mode, 16 * 1024, out var stream);
        try
        {
            using (stream)
            {
                writeContent(stream);
                stream.Flush(flushToDisk: true); // the buffer, then fsync
            }

            Publish(temp, path, durable: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>True for the name of a temporary file this class creates.</summary>
    public static bool IsTemporary(string fileName) => fileName.Contains(TemporaryMarker, StringComparison.Ordinal);

    /// <summary>Deletes the temporary files a crash left in <paramref name="directory"/> (not recursive).</summary>
    public static void RemoveLeftovers(string directory)
    {
        if (!Directory.Exists(directory))
        {
            return;
        }

        foreach (var file in Directory.EnumerateFiles(directory, "*" + TemporaryMarker + "*"))
        {
            TryDelete(file);
        }
    }

    private static string CreateTemporary(string path, UnixFileMode mode, int bufferSize, out FileStream stream)
    {
        var full = Path.GetFullPath(path);
        var temp = full + TemporaryMarker + Guid.NewGuid().ToString("N")[..12];

        // CreateNew: O_EXCL, so the temporary file is ours and not a link someone planted; the mode
        // is given to open(2), so the content is never readable by others, not even for a moment.
        stream = new FileStream(temp, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            Share = FileShare.None,
            BufferSize = bufferSize,
            UnixCreateMode = mode,
        });
        return temp;
    }

    private static void Publish(string temp, string path, bool durable)
    {
        File.Move(temp, path, overwrite: true);
        if (durable)
        {
            PosixFiles.FsyncDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
