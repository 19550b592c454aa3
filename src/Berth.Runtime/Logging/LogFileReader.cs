using System.IO.Compression;
using System.Runtime.CompilerServices;

namespace Berth.Runtime.Logging;

/// <summary>
/// Reads a log file in any driver's format and its rotated files (oldest first, gzip-compressed
/// ones included), with tail, since/until and follow. Large sequential reads and hand-written
/// record parsers: reading back hundreds of megabytes is on the benchmark's path.
/// </summary>
public static class LogFileReader
{
    private const int ChunkSize = 1 << 20;
    private static readonly TimeSpan FollowPoll = TimeSpan.FromMilliseconds(50);

    /// <summary>One file of a log: its path, whether it is gzip-compressed.</summary>
    public readonly record struct LogFilePart(string Path, bool Compressed);

    /// <param name="path">The live log file (rotated ones are path.1[.gz], path.2[.gz] …).</param>
    /// <param name="format">The driver's record format.</param>
    /// <param name="options">Which streams, tail, since/until, follow.</param>
    /// <param name="stopped">When following: completes once the writer has stopped for good.</param>
    public static async IAsyncEnumerable<LogEntry> ReadAsync(
        string path,
        ILogFormat format,
        LogReadOptions options,
        Task? stopped,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(format);
        ArgumentNullException.ThrowIfNull(options);
        var files = ListFiles(path);
        var start = options.Tail is { } tail ? FindTail(files, format, tail) : new TailStart(0, 0, 0);
        var sinceNanos = options.Since is { } since ? ToNanos(since) : long.MinValue;
        var untilNanos = options.Until is { } until ? ToNanos(until) : long.MaxValue;
        var reader = new ChunkParser(format, options, sinceNanos, untilNanos);

        long livePosition = 0;
        for (var f = start.File; f < files.Count; f++)
        {
            Stream stream;
            try
            {
                stream = OpenPart(files[f], sinceNanos);
            }
            catch (FileNotFoundException)
            {
                continue;
            }
            catch (InvalidDataException)
            {
                // A compressed file that is not gzip (a crash while it was written): unreadable.
                continue;
            }

            await using (stream.ConfigureAwait(false))
            {
                if (stream == Stream.Null)
                {
                    continue;
                }

                if (f == start.File && start.Offset > 0)
                {
                    stream.Position = start.Offset;
                }

                reader.Reset(f == start.File ? start.SkipRecords : 0);
                while (true)
                {
                    int n;
                    try
                    {
                        n = await stream.ReadAsync(reader.FreeSpace, cancellationToken).ConfigureAwait(false);
                    }
                    catch (InvalidDataException)
                    {
                        // A damaged compressed file: what came before the damage has been read.
                        n = 0;
                    }

                    if (n == 0)
                    {
                        break;
                    }

                    var entries = new List<LogEntry>();
                    var result = reader.Parse(n, entries);
                    foreach (var e in entries)
                    {
                        yield return e;
                    }

                    if (result == ParseResult.Until)
                    {
                        yield break;
                    }

                    if (result == ParseResult.Broken)
                    {
                        break;
                    }
                }

                if (!files[f].Compressed && files[f].Path == path)
                {
                    // An unfinished last record is picked up again by the follow loop.
                    livePosition = stream.Position - reader.Carry;
                }
            }
        }

        if (!options.Follow)
        {
            yield break;
        }

        if (options.Tail == 0)
        {
            livePosition = LengthOrZero(path);
        }

        await foreach (var e in FollowAsync(path, livePosition, reader, stopped, cancellationToken).ConfigureAwait(false))
        {
            yield return e;
        }
    }

    private static async IAsyncEnumerable<LogEntry> FollowAsync(
        string path,
        long position,
        ChunkParser reader,
        Task? stopped,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        FileStream? stream = null;
        reader.Reset(0);
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (stream is null)
                {
                    try
                    {
                        stream = OpenRead(path);
                        stream.Position = position <= stream.Length ? position : 0;
                    }
                    catch (FileNotFoundException)
                    {
                        stream = null;
                    }
                }

                var progressed = false;
                if (stream is not null)
                {
                    while (true)
                    {
                        var n = await stream.ReadAsync(reader.FreeSpace, cancellationToken).ConfigureAwait(false);
                        if (n == 0)
                        {
                            break;
                        }

                        progressed = true;
                        var entries = new List<LogEntry>();
                        var result = reader.Parse(n, entries);
                        foreach (var e in entries)
                        {
                            yield return e;
                        }

                        if (result != ParseResult.More)
                        {
                            yield break;
                        }
                    }

                    if (!progressed && Rotated(stream, path))
                    {
                        await stream.DisposeAsync().ConfigureAwait(false);
                        stream = null;
                        position = 0;
                        reader.Reset(0);
                        continue;
                    }
                }

                if (progressed)
                {
                    continue;
                }

                if (stopped is null || stopped.IsCompleted)
                {
                    yield break;
                }

                try
                {
                    await Task.WhenAny(stopped, Task.Delay(FollowPoll, cancellationToken)).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    yield break;
                }
            }
        }
        finally
        {
            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }
        }
    }

    private enum ParseResult
    {
        More,
        Until,
        Broken,
    }

    /// <summary>Cuts read chunks into records and decodes the ones the options ask for.</summary>
    private sealed class ChunkParser(ILogFormat format, LogReadOptions options, long since, long until)
    {
        private readonly SlabWriter _slab = new();
        private byte[] _buffer = new byte[ChunkSize];
        private int _skip;

        /// <summary>Bytes of an incomplete record kept at the front of the buffer.</summary>
        public int Carry { get; private set; }

        public Memory<byte> FreeSpace => _buffer.AsMemory(Carry);

        /// <summary>Starts a new file (nothing carried over), passing over its first <paramref name="skipRecords"/> records.</summary>
        public void Reset(int skipRecords)
        {
            Carry = 0;
            _skip = skipRecords;
        }

        /// <summary>Parses the whole records among Carry + <paramref name="read"/> bytes; keeps the incomplete tail.</summary>
        public ParseResult Parse(int read, List<LogEntry> entries)
        {
            var count = Carry + read;
            var span = _buffer.AsSpan(0, count);
            var consumed = 0;
            var result = ParseResult.More;
            while (true)
            {
                var length = format.RecordLength(span[consumed..]);
                if (length < 0)
                {
                    result = ParseResult.Broken;
                    break;
                }

                if (length == 0)
                {
                    break;
                }

                var record = span.Slice(consumed, length);
                consumed += length;
                if (_skip > 0)
                {
                    _skip--;
                    continue;
                }

                _slab.Begin(record.Length);
                if (!format.TryDecode(record, _slab, out var stream, out var nanos))
                {
                    _slab.Discard();
                    continue;
                }

                if (nanos > until)
                {
                    _slab.Discard();
                    return ParseResult.Until;
                }

                if (nanos < since || (stream == OutputStream.Stdout ? !options.Stdout : !options.Stderr))
                {
                    _slab.Discard();
                    continue;
                }

                entries.Add(new LogEntry(stream, FromNanos(nanos), _slab.End()));
            }

            Carry = result == ParseResult.Broken ? 0 : count - consumed;
            span[consumed..].CopyTo(_buffer);
            if (Carry >= _buffer.Length / 2)
            {
                var bigger = new byte[_buffer.Length * 2];
                _buffer.AsSpan(0, Carry).CopyTo(bigger);
                _buffer = bigger;
            }

            return result;
        }
    }

    /// <summary>
    /// Existing files oldest first: path.N … path.1, path. A rotated file is read uncompressed
    /// when both forms exist (a crash between compressing it and removing the original), as dockerd does.
    /// </summary>
    public static List<LogFilePart> ListFiles(string path)
    {
        var result = new List<LogFilePart>();
        var dir = Path.GetDirectoryName(path)!;
        var name = Path.GetFileName(path);
        if (Directory.Exists(dir))
        {
            var rotated = new SortedDictionary<int, LogFilePart>(Comparer<int>.Create((a, b) => b.CompareTo(a)));
            foreach (var f in Directory.EnumerateFiles(dir, name + ".*"))
            {
                var fileName = Path.GetFileName(f);
                if (fileName.Length <= name.Length + 1 || !fileName.StartsWith(name + ".", StringComparison.Ordinal))
                {
                    continue;
                }

                var suffix = fileName.AsSpan(name.Length + 1);
                var compressed = suffix.EndsWith(".gz", StringComparison.Ordinal);
                if (compressed)
                {
                    suffix = suffix[..^3];
                }

                if (int.TryParse(suffix, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n)
                    && (!rotated.TryGetValue(n, out var seen) || seen.Compressed))
                {
                    rotated[n] = new LogFilePart(Path.Combine(dir, fileName), compressed);
                }
            }

            result.AddRange(rotated.Values);
        }

        if (File.Exists(path))
        {
            result.Add(new LogFilePart(path, false));
        }

        return result;
    }

    /// <summary>Where the last N records begin: a file, a byte offset in it, or a number of its records to pass over.</summary>
    private readonly record struct TailStart(int File, long Offset, int SkipRecords);

    private static TailStart FindTail(List<LogFilePart> files, ILogFormat format, int tail)
    {
        if (tail <= 0)
        {
            return new TailStart(files.Count, 0, 0);
        }

        var needed = tail;
        for (var f = files.Count - 1; f >= 0; f--)
        {
            try
            {
                if (files[f].Compressed)
                {
                    // No walking backwards through deflate: count the records, then pass over the surplus.
                    var count = CountRecords(files[f].Path, format);
                    if (count >= needed)
                    {
                        return new TailStart(f, 0, count - needed);
                    }

                    needed -= count;
                    continue;
                }

                using var fs = OpenRead(files[f].Path);
                var offset = format.FindTail(fs, fs.Length, ref needed);
                if (needed == 0)
                {
                    return new TailStart(f, offset, 0);
                }
            }
            catch (FileNotFoundException)
            {
                // Rotated away meanwhile.
            }
            catch (InvalidDataException)
            {
            }
        }

        return new TailStart(0, 0, 0);
    }

    private static int CountRecords(string path, ILogFormat format)
    {
        using var stream = new GZipStream(OpenRead(path), CompressionMode.Decompress);
        var buffer = new byte[ChunkSize];
        var carry = 0;
        var count = 0;
        while (true)
        {
            var n = stream.Read(buffer, carry, buffer.Length - carry);
            if (n == 0)
            {
                return count;
            }

            var span = buffer.AsSpan(0, carry + n);
            var consumed = 0;
            int length;
            while ((length = format.RecordLength(span[consumed..])) > 0)
            {
                consumed += length;
                count++;
            }

            if (length < 0)
            {
                return count;
            }

            carry = span.Length - consumed;
            span[consumed..].CopyTo(buffer);
            if (carry >= buffer.Length / 2)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }
        }
    }

    /// <summary>
    /// Opens one file of the log for reading from its start; a compressed file whose header says
    /// its last entry is older than <paramref name="sinceNanos"/> is not inflated at all
    /// (<see cref="Stream.Null"/>).
    /// </summary>
    private static Stream OpenPart(LogFilePart part, long sinceNanos)
    {
        var file = OpenRead(part.Path);
        if (!part.Compressed)
        {
            return file;
        }

        try
        {
            if (sinceNanos != long.MinValue && RotatedLogCompression.ReadLastTime(file) is { } last && last < sinceNanos)
            {
                file.Dispose();
                return Stream.Null;
            }

            file.Position = 0;
            return new GZipStream(file, CompressionMode.Decompress);
        }
        catch
        {
            file.Dispose();
            throw;
        }
    }

    private static bool Rotated(FileStream stream, string path)
    {
        try
        {
            var now = File.ResolveLinkTarget($"/proc/self/fd/{stream.SafeFileHandle.DangerousGetHandle()}", false)?.FullName;
            if (now is null || now != path)
            {
                return true;
            }

            return stream.Length < stream.Position;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private static FileStream OpenRead(string path) =>
        new(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0, FileOptions.SequentialScan);

    private static long LengthOrZero(string path)
    {
        try
        {
            return new FileInfo(path).Length;
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static long ToNanos(DateTimeOffset t) => (t.UtcTicks - DateTime.UnixEpoch.Ticks) * 100;

    private static DateTimeOffset FromNanos(long nanos) => new(DateTime.UnixEpoch.Ticks + (nanos / 100), TimeSpan.Zero);
}
