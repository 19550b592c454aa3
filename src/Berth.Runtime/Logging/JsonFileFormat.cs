using System.Buffers;

namespace Berth.Runtime.Logging;

/// <summary>json-file's records: one JSON object a line (<see cref="JsonLogFormat"/>).</summary>
public sealed class JsonFileFormat : ILogFormat
{
    public static JsonFileFormat Instance { get; } = new();

    private JsonFileFormat()
    {
    }

    public int MaxEncodedLength(int lineLength) => JsonLogFormat.MaxEncodedLength(lineLength);

    // Pieces of a long line are written without a newline, which is how json-file marks them.
    public int Encode(Span<byte> dest, OutputStream stream, ReadOnlySpan<byte> line, long unixNanos, PartialLogMetadata? partial) =>
        JsonLogFormat.Encode(dest, stream, line, unixNanos);

    public int RecordLength(ReadOnlySpan<byte> data)
    {
        var nl = data.IndexOf((byte)'\n');
        return nl < 0 ? 0 : nl + 1;
    }

    public bool TryDecode(ReadOnlySpan<byte> record, IBufferWriter<byte> output, out OutputStream stream, out long unixNanos) =>
        JsonLogFormat.TryParse(record[^1] == '\n' ? record[..^1] : record, output, out stream, out unixNanos);

    public long FindTail(FileStream file, long end, ref int needed)
    {
        ArgumentNullException.ThrowIfNull(file);
        var chunk = new byte[64 * 1024];
        var pos = end;

        // The final newline ends the last line; it does not start one.
        var skipFirstNewline = true;
        while (pos > 0)
        {
            var size = (int)Math.Min(chunk.Length, pos);
            pos -= size;
            file.Position = pos;
            file.ReadExactly(chunk, 0, size);
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
                    return pos + i + 1;
                }
            }
        }

        // Whole file consumed: its first line counts too.
        if (end > 0)
        {
            needed--;
        }

        return 0;
    }
}
