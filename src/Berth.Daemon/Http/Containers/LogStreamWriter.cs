using System.IO.Pipelines;
using System.Text;
using Berth.Api.Streams;
using Berth.Runtime;

namespace Berth.Daemon.Http.Containers;

/// <summary>
/// Writes log entries to a logs response: framed (stdcopy) unless the container has a terminal,
/// straight into the response pipe, flushed only when the reader has nothing ready (it reads the
/// file in large chunks) or a lot is buffered: reading back a big log costs one write per chunk,
/// not one per line, and a follower still sees each line as soon as it is read.
/// </summary>
internal static class LogStreamWriter
{
    private const int FlushThreshold = 256 * 1024;

    /// <summary>
    /// The most payload one frame carries when entries are merged. The docker CLI demultiplexes
    /// into a 32 KiB buffer (stdcopy's startingBufLen: 32 KiB + header + 1) and writes each
    /// frame's payload with one write(2): one frame per 1000-byte line made 200,000 writes of
    /// its stdout for 200 MB, most of its time; frames of up to 32 KiB make ~6,000.
    /// </summary>
    private const int MergedPayloadLimit = 32 * 1024;

    /// <param name="output">The response body.</param>
    /// <param name="logs">The entries, in order.</param>
    /// <param name="multiplexed">Frame the output (the container has no terminal).</param>
    /// <param name="timestamps">Prefix each line with its time.</param>
    /// <param name="details">
    /// Put each entry's attributes and a space before the line: dockerd writes "k=v,..." from the
    /// labels/env/tag log-opts; Berth's entries carry none, so it is the space alone, as dockerd
    /// writes for a container without those options.
    /// </param>
    /// <param name="mergeFrames">
    /// Put consecutive entries of the same stream in one frame (whole lines only, up to
    /// <see cref="MergedPayloadLimit"/>). For a read of what is there (no follow): the bytes are
    /// the same, only their framing differs, which the API leaves open (attach frames are
    /// arbitrary writes). A follower keeps one frame per entry, as dockerd sends them, because
    /// clients such as docker-py's <c>logs(stream=True)</c>, which follows, hand out one frame
    /// per item and their users read an item as a line.
    /// </param>
    /// <param name="cancellationToken">The request's.</param>
    public static async Task WriteAsync(PipeWriter output, IAsyncEnumerable<LogEntry> logs, bool multiplexed, bool timestamps, bool details, bool mergeFrames, CancellationToken cancellationToken)
    {
        var frames = new FrameBuilder(output, multiplexed && mergeFrames);
        var stamp = new byte[48];
        var e = logs.GetAsyncEnumerator(cancellationToken);
        await using (e.ConfigureAwait(false))
        {
            while (true)
            {
                var next = e.MoveNextAsync();
                if (!next.IsCompleted && frames.Pending > 0)
                {
                    frames.Close();
                    await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                    frames.Pending = 0;
                }

                if (!await next.ConfigureAwait(false))
                {
                    break;
                }

                var entry = e.Current;
                var stampLength = timestamps ? Encoding.ASCII.GetBytes(WireTime.FormatFixed(entry.Time) + " ", stamp) : 0;
                if (details)
                {
                    stamp[stampLength++] = (byte)' ';
                }

                var stream = entry.Stream == OutputStream.Stderr ? StdStream.Stderr : StdStream.Stdout;
                var span = multiplexed ? frames.Append(stream, stampLength + entry.Line.Length) : frames.AppendRaw(stampLength + entry.Line.Length);
                stamp.AsSpan(0, stampLength).CopyTo(span);
                entry.Line.Span.CopyTo(span[stampLength..]);
                frames.Appended(stampLength + entry.Line.Length);
                if (frames.Pending >= FlushThreshold)
                {
                    frames.Close();
                    await output.FlushAsync(cancellationToken).ConfigureAwait(false);
                    frames.Pending = 0;
                }
            }
        }

        frames.Close();
        await output.FlushAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Builds frames in the pipe's own memory: an open frame's header is written when it is
    /// closed (its length is known then), so merged entries are copied once. Not a struct:
    /// it lives across awaits.
    /// </summary>
    private sealed class FrameBuilder(PipeWriter output, bool merge)
    {
        private Memory<byte> _frame;
        private StdStream _stream;
        private int _length = -1; // payload bytes in the open frame; -1: none open
        private int _reserved;

        /// <summary>Bytes given to the pipe since the last flush (open frame included).</summary>
        public int Pending { get; set; }

        /// <summary>Room for <paramref name="length"/> payload bytes of <paramref name="stream"/>, in a frame of their own or the open one.</summary>
        public Span<byte> Append(StdStream stream, int length)
        {
            if (_length >= 0 && (!merge || stream != _stream || _length + length > _reserved))
            {
                Close();
            }

            if (_length < 0)
            {
                _reserved = merge ? Math.Max(length, MergedPayloadLimit) : length;
                _frame = output.GetMemory(StdCopy.HeaderSize + _reserved);
                _stream = stream;
                _length = 0;
            }

            return _frame.Span.Slice(StdCopy.HeaderSize + _length, length);
        }

        /// <summary>Room for unframed bytes (a terminal's stream).</summary>
        public Span<byte> AppendRaw(int length)
        {
            _frame = output.GetMemory(length);
            _reserved = -1;
            return _frame.Span[..length];
        }

        /// <summary>The bytes asked for were written.</summary>
        public void Appended(int length)
        {
            Pending += length;
            if (_reserved < 0)
            {
                output.Advance(length);
                return;
            }

            Pending += _length == 0 ? StdCopy.HeaderSize : 0;
            _length += length;
            if (!merge || _length >= MergedPayloadLimit)
            {
                Close();
            }
        }

        /// <summary>Writes the open frame's header and hands the frame to the pipe.</summary>
        public void Close()
        {
            if (_length < 0)
            {
                return;
            }

            StdCopy.WriteHeader(_frame.Span, _stream, _length);
            output.Advance(StdCopy.HeaderSize + _length);
            _length = -1;
        }
    }
}
