using System.Buffers;

namespace Berth.Runtime.Logging;

/// <summary>
/// How a log driver lays out its records in a file: json-file's JSON lines or local's framed
/// protobuf messages. The writer, rotation, compression and the reader (tail, since/until,
/// follow) are the same for every format; only this differs.
/// </summary>
public interface ILogFormat
{
    /// <summary>An upper bound of an encoded record's size for a piece of this length.</summary>
    int MaxEncodedLength(int lineLength);

    /// <summary>
    /// Encodes one record; returns its length. <paramref name="line"/> is a piece as the monitor
    /// cut it: a whole line with its newline, or a piece without one (<paramref name="partial"/> set).
    /// </summary>
    int Encode(Span<byte> dest, OutputStream stream, ReadOnlySpan<byte> line, long unixNanos, PartialLogMetadata? partial);

    /// <summary>
    /// The length of the record that starts <paramref name="data"/>: 0 when more bytes are
    /// needed, -1 when the data cannot be read on (a broken frame).
    /// </summary>
    int RecordLength(ReadOnlySpan<byte> data);

    /// <summary>
    /// Decodes one whole record (as <see cref="RecordLength"/> delimited it), appending its line
    /// (with the newline when it ended one) to <paramref name="output"/>; false for a record
    /// that cannot be read (skipped, as dockerd skips a corrupt json-file line).
    /// </summary>
    bool TryDecode(ReadOnlySpan<byte> record, IBufferWriter<byte> output, out OutputStream stream, out long unixNanos);

    /// <summary>
    /// Walks back from <paramref name="end"/> over whole records: returns where the last
    /// <paramref name="needed"/> of them start, and lowers <paramref name="needed"/> by the number
    /// found (0 when the file held enough).
    /// </summary>
    long FindTail(FileStream file, long end, ref int needed);
}
