using System.Buffers;
using System.Buffers.Binary;

namespace Berth.Runtime.Logging;

/// <summary>The local driver's records (<see cref="LocalLogCodec"/>).</summary>
public sealed class LocalLogFormat : ILogFormat
{
    public static LocalLogFormat Instance { get; } = new();

    private LocalLogFormat()
    {
    }

    public int MaxEncodedLength(int lineLength) => LocalLogCodec.MaxEncodedLength(lineLength);

    public int Encode(Span<byte> dest, OutputStream stream, ReadOnlySpan<byte> line, long unixNanos, PartialLogMetadata? partial)
    {
        if (line.Length > 0 && line[^1] == '\n')
        {
            line = line[..^1];
        }

        return LocalLogCodec.Encode(dest, stream, line, unixNanos, partial);
    }

    public int RecordLength(ReadOnlySpan<byte> data) => LocalLogCodec.FrameLength(data);

    public bool TryDecode(ReadOnlySpan<byte> record, IBufferWriter<byte> output, out OutputStream stream, out long unixNanos)
    {
        ArgumentNullException.ThrowIfNull(output);
        stream = OutputStream.Stdout;
        unixNanos = 0;
        if (record.Length < LocalLogCodec.FrameOverhead
            || !LocalLogCodec.TryDecode(record[4..^4], out var entry))
        {
            return false;
        }

        stream = entry.Source.SequenceEqual("stderr"u8) ? OutputStream.Stderr : OutputStream.Stdout;
        unixNanos = entry.TimeNano;

        // As dockerd: the newline comes back unless this is a piece of a longer line.
        var newline = !entry.Partial || entry.Last;
        var span = output.GetSpan(entry.Line.Length + 1);
        entry.Line.CopyTo(span);
        if (newline)
        {
            span[entry.Line.Length] = (byte)'\n';
        }

        output.Advance(entry.Line.Length + (newline ? 1 : 0));
        return true;
    }

    public long FindTail(FileStream file, long end, ref int needed)
    {
        ArgumentNullException.ThrowIfNull(file);
        Span<byte> length = stackalloc byte[4];
        var pos = end;
        while (needed > 0 && pos >= LocalLogCodec.FrameOverhead)
        {
            file.Position = pos - 4;
            file.ReadExactly(length);
            var size = BinaryPrimitives.ReadUInt32BigEndian(length);
            if (size > LocalLogCodec.MaxMessageLength || size + LocalLogCodec.FrameOverhead > pos)
            {
                break;
            }

            var start = pos - size - LocalLogCodec.FrameOverhead;
            file.Position = start;
            file.ReadExactly(length);
            if (BinaryPrimitives.ReadUInt32BigEndian(length) != size)
            {
                // A broken frame: the records after it are all that can be found from here.
                break;
            }

            pos = start;
            needed--;
        }

        return pos;
    }
}
