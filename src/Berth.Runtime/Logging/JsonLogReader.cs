using System.Runtime.CompilerServices;

namespace Berth.Runtime.Logging;

/// <summary>
/// Reads a json-file log and its rotated files (oldest first), with tail, since/until and follow.
/// Large sequential reads and a hand-written line parser: reading back hundreds of megabytes is
/// on the benchmark's path.
/// </summary>
public static class JsonLogReader
{
    private const int ChunkSize = 1 << 20;
    private static readonly TimeSpan FollowPoll = TimeSpan.FromMilliseconds(50);

    /// <param name="path">The live log file (rotated ones are path.1, path.2 …).</param>
    /// <param name="options">Which streams, tail, since/until, follow.</param>
    /// <param name="stopped">When following: completes once the writer has stopped for good.</param>
    public static async IAsyncEnumerable<LogEntry> ReadAsync(
        string path,
        LogReadOptions options,
        Task? stopped,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        var files = ListFiles(path);
        var (startFile, startOffset) = options.Tail is { } tail ? FindTail(files, tail) : (0, 0L);
        var sinceNanos = options.Since is { } since ? ToNanos(since) : long.MinValue;
        var untilNanos = options.Until is { } until ? ToNanos(until) : long.MaxValue;
        var slab = new SlabWriter();
        var buffer = new byte[ChunkSize];

        long livePosition = 0;
        for (var f = startFile; f < files.Count; f++)
        {
            FileStream stream;
            try
            {
                stream = OpenRead(files[f]);
            }
            catch (FileNotFoundException)
            {
                continue;
            }

            await using (stream.ConfigureAwait(false))
            {
                stream.Position = f == startFile ? startOffset : 0;
                var carry = 0;
                while (true)
                {
                    var n = await stream.ReadAsync(buffer.AsMemory(carry), cancellationToken).ConfigureAwait(false);
                    if (n == 0)
                    {
                        break;
                    }

                    var entries = new List<LogEntry>();
                    var stop = Parse(buffer, carry + n, ref carry, slab, options, sinceNanos, untilNanos, entries);
                    foreach (var e in entries)
                    {
                        yield return e;
                    }

                    if (stop)
                    {
                        yield break;
                    }

                    buffer = Grow(buffer, carry);
                }

                if (files[f] == path)
                {
                    // An unfinished last line is picked up again by the follow loop.
                    livePosition = stream.Position - carry;
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

        await foreach (var e in FollowAsync(path, livePosition, slab, buffer, options, sinceNanos, untilNanos, stopped, cancellationToken).ConfigureAwait(false))
        {
            yield return e;
        }
    }

    private static async IAsyncEnumerable<LogEntry> FollowAsync(
        string path,
        long position,
        SlabWriter slab,
        byte[] buffer,
        LogReadOptions options,
        long sinceNanos,
        long untilNanos,
        Task? stopped,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        FileStream? stream = null;
        var carry = 0;
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
                        var n = await stream.ReadAsync(buffer.AsMemory(carry), cancellationToken).ConfigureAwait(false);
                        if (n == 0)
                        {
                            break;
                        }

                        progressed = true;
                        var entries = new List<LogEntry>();
                        var stop = Parse(buffer, carry + n, ref carry, slab, options, sinceNanos, untilNanos, entries);
                        foreach (var e in entries)
                        {
                            yield return e;
                        }

                        if (stop)
                        {
                            yield break;
                        }

                        buffer = Grow(buffer, carry);
                    }

                    if (!progressed && Rotated(stream, path))
                    {
                        await stream.DisposeAsync().ConfigureAwait(false);
                        stream = null;
                        position = 0;
                        carry = 0;
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

    /// <summary>Parses the complete lines in buffer[0..count); moves the incomplete tail to the front.</summary>
    private static bool Parse(byte[] buffer, int count, ref int carry, SlabWriter slab, LogReadOptions options, long since, long until, List<LogEntry> entries)
    {
        var span = buffer.AsSpan(0, count);
        var consumed = 0;
        while (true)
        {
            var nl = span[consumed..].IndexOf((byte)'\n');
            if (nl < 0)
            {
                break;
            }

            var line = span.Slice(consumed, nl);
            consumed += nl + 1;
            slab.Begin(line.Length);
            if (!JsonLogFormat.TryParse(line, slab, out var stream, out var nanos))
            {
                slab.Discard();
                continue;
            }

            if (nanos > until)
            {
                slab.Discard();
                return true;
            }

            if (nanos < since || (stream == OutputStream.Stdout ? !options.Stdout : !options.Stderr))
            {
                slab.Discard();
                continue;
            }

            entries.Add(new LogEntry(stream, FromNanos(nanos), slab.End()));
        }

        carry = count - consumed;
        span[consumed..].CopyTo(buffer);
        return false;
    }

    private static byte[] Grow(byte[] buffer, int carry)
    {
        if (carry < buffer.Length / 2)
        {
            return buffer;
        }

        var bigger = new byte[buffer.Length * 2];
        buffer.AsSpan(0, carry).CopyTo(bigger);
        return bigger;
    }

    /// <summary>Existing files oldest first: path.N … path.1, path.</summary>
    public static List<string> ListFiles(string path)
    {
        var result = new List<string>();
        var dir = Path.GetDirectoryName(path)!;
        var name = Path.GetFileName(path);
        if (Directory.Exists(dir))
        {
            var rotated = new List<(int N, string P)>();
            foreach (var f in Directory.EnumerateFiles(dir, name + ".*"))
            {
                var fileName = Path.GetFileName(f);
                if (fileName.Length > name.Length + 1 && fileName.StartsWith(name + ".", StringComparison.Ordinal)
                    && int.TryParse(fileName.AsSpan(name.Length + 1), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n))
                {
                    rotated.Add((n, Path.Combine(dir, fileName)));
                }
            }

            rotated.Sort((a, b) => b.N.CompareTo(a.N));
            result.AddRange(rotated.Select(r => r.P));
        }

        if (File.Exists(path))
        {
            result.Add(path);
        }

        return result;
    }

    /// <summary>Where the last <paramref name="tail"/> lines begin: (file index, byte offset).</summary>
    private static (int File, long Offset) FindTail(List<string> files, int tail)
    {
        if (tail <= 0)
        {
            return (files.Count, 0);
        }

        var needed = tail;
        var chunk = new byte[64 * 1024];
        for (var f = files.Count - 1; f >= 0; f--)
        {
            using var fs = OpenRead(files[f]);
            var end = fs.Length;
            var pos = end;

            // The final newline ends the last line; it does not start one.
            var skipFirstNewline = true;
            while (pos > 0)
            {
                var size = (int)Math.Min(chunk.Length, pos);
                pos -= size;
                fs.Position = pos;
                fs.ReadExactly(chunk, 0, size);
                for (var i = size - 1; i >= 0; i--)
                {
                    if (chunk[i] != '\n')
                    {
                        continue;
                    }

                    if (skipFirstNewline && pos + i == end - 1)
                    {
                        skipFirstNewline = false;
                        continue;
                    }

                    needed--;
                    if (needed == 0)
                    {
                        return (f, pos + i + 1);
                    }
                }
            }

            // Whole file consumed: its first line counts too.
            if (end > 0)
            {
                needed--;
                if (needed == 0)
                {
                    return (f, 0);
                }
            }
        }

        return (0, 0);
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
