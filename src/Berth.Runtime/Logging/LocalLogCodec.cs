using System.Buffers.Binary;

namespace Berth.Runtime.Logging;

/// <summary>
/// The record of Docker's <c>local</c> log driver: a protobuf <c>LogEntry</c>
/// (source = 1, time_nano = 2, line = 3, partial = 4, partial_log_metadata = 5 with last = 1,
/// id = 2, ordinal = 3) framed by its length as a big-endian uint32 before and after, so a file
/// can be walked forwards and backwards (tail). Hand-written over the protobuf wire format: five
/// scalar fields do not need Google.Protobuf, generated code and its reflection in the Native AOT
/// monitor (docs/ARCHITECTURE.md). Encoding follows proto3 as dockerd's gogo code emits it: fields
/// in number order, defaults (empty, zero, false) left out, the metadata message present whenever
/// the entry is partial. Decoding accepts any valid encoding of the message, newer fields
/// (moby's attrs = 6) included, which it skips.
/// </summary>
public static class LocalLogCodec
{
    /// <summary>The length prefix and suffix around each message.</summary>
    public const int FrameOverhead = 8;

    /// <summary>The largest message dockerd's reader accepts (moby local/read.go maxMsgLen).</summary>
    public const int MaxMessageLength = 1_000_000;

    /// <summary>The longest partial-message id <see cref="Encode"/> takes (Docker's are 64 hex digits).</summary>
    public const int MaxIdLength = 64;

    private const byte SourceTag = (1 << 3) | WireLengthDelimited;
    private const byte TimeTag = 2 << 3;
    private const byte LineTag = (3 << 3) | WireLengthDelimited;
    private const byte PartialTag = 4 << 3;
    private const byte MetadataTag = (5 << 3) | WireLengthDelimited;
    private const byte LastTag = 1 << 3;
    private const byte IdTag = (2 << 3) | WireLengthDelimited;
    private const byte OrdinalTag = 3 << 3;

    private const int WireVarint = 0;
    private const int WireFixed64 = 1;
    private const int WireLengthDelimited = 2;
    private const int WireFixed32 = 5;

    /// <summary>An upper bound of a framed record's size for a line of this length.</summary>
    public static int MaxEncodedLength(int lineLength) =>
        FrameOverhead + (2 + 6) + (1 + 10) + (1 + 5 + lineLength) + 2 + (1 + 5 + 2 + (1 + 1 + MaxIdLength) + (1 + 10));

    /// <summary>
    /// Writes one framed record; returns its length. <paramref name="line"/> is the message without
    /// its newline (Docker keeps the newline out of the record and adds it back when reading).
    /// </summary>
    public static int Encode(Span<byte> dest, OutputStream stream, ReadOnlySpan<byte> line, long unixNanos, PartialLogMetadata? partial)
    {
        var source = stream == OutputStream.Stderr ? "stderr"u8 : "stdout"u8;
        var metadataLength = 0;
        if (partial is { } p)
        {
            if (p.Id.Length > MaxIdLength)
            {
                throw new ArgumentException($"partial id longer than {MaxIdLength}", nameof(partial));
            }

            metadataLength = (p.Last ? 2 : 0)
                + (p.Id.Length > 0 ? 1 + VarintLength((ulong)p.Id.Length) + p.Id.Length : 0)
                + (p.Ordinal != 0 ? 1 + VarintLength((ulong)(long)p.Ordinal) : 0);
        }

        var size = 2 + source.Length
            + (unixNanos != 0 ? 1 + VarintLength((ulong)unixNanos) : 0)
            + (line.Length > 0 ? 1 + VarintLength((ulong)line.Length) + line.Length : 0)
            + (partial is not null ? 2 + 1 + VarintLength((ulong)metadataLength) + metadataLength : 0);

        BinaryPrimitives.WriteUInt32BigEndian(dest, (uint)size);
        var pos = 4;
        dest[pos++] = SourceTag;
        dest[pos++] = (byte)source.Length;
        source.CopyTo(dest[pos..]);
        pos += source.Length;
        if (unixNanos != 0)
        {
            dest[pos++] = TimeTag;
            pos += WriteVarint(dest[pos..], (ulong)unixNanos);
        }

        if (line.Length > 0)
        {
            dest[pos++] = LineTag;
            pos += WriteVarint(dest[pos..], (ulong)line.Length);
            line.CopyTo(dest[pos..]);
            pos += line.Length;
        }

        if (partial is { } m)
        {
            dest[pos++] = PartialTag;
            dest[pos++] = 1;
            dest[pos++] = MetadataTag;
            pos += WriteVarint(dest[pos..], (ulong)metadataLength);
            if (m.Last)
            {
                dest[pos++] = LastTag;
                dest[pos++] = 1;
            }

            if (m.Id.Length > 0)
            {
                dest[pos++] = IdTag;
                pos += WriteVarint(dest[pos..], (ulong)m.Id.Length);
                for (var i = 0; i < m.Id.Length; i++)
                {
                    dest[pos++] = (byte)m.Id[i];
                }
            }

            if (m.Ordinal != 0)
            {
                dest[pos++] = OrdinalTag;
                pos += WriteVarint(dest[pos..], (ulong)(long)m.Ordinal);
            }
        }

        BinaryPrimitives.WriteUInt32BigEndian(dest[pos..], (uint)size);
        return pos + 4;
    }

    /// <summary>
    /// The length of the framed record at the start of <paramref name="data"/>: 0 when more bytes
    /// are needed, -1 when the frame is broken (a length over <see cref="MaxMessageLength"/>, or
    /// prefix and suffix that differ), as dockerd's reader refuses them.
    /// </summary>
    public static int FrameLength(ReadOnlySpan<byte> data)
    {
        if (data.Length < 4)
        {
            return 0;
        }

        var length = BinaryPrimitives.ReadUInt32BigEndian(data);
        if (length > MaxMessageLength)
        {
            return -1;
        }

        var total = (int)length + FrameOverhead;
        if (data.Length < total)
        {
            return 0;
        }

        return BinaryPrimitives.ReadUInt32BigEndian(data[(total - 4)..]) == length ? total : -1;
    }

    /// <summary>Decodes one protobuf <c>LogEntry</c> (the bytes between the lengths); false if it is not one.</summary>
    public static bool TryDecode(ReadOnlySpan<byte> message, out LocalLogEntry entry)
    {
        entry = default;
        var pos = 0;
        while (pos < message.Length)
        {
            if (!TryReadVarint(message, ref pos, out var key) || key > uint.MaxValue)
            {
                return false;
            }

            var field = key >> 3;
            var wire = (int)(key & 7);
            switch (field, wire)
            {
                case (1, WireLengthDelimited):
                    if (!TryReadBytes(message, ref pos, out entry.Source))
                    {
                        return false;
                    }

                    break;
                case (2, WireVarint):
                    if (!TryReadVarint(message, ref pos, out var nanos))
                    {
                        return false;
                    }

                    entry.TimeNano = (long)nanos;
                    break;
                case (3, WireLengthDelimited):
                    if (!TryReadBytes(message, ref pos, out entry.Line))
                    {
                        return false;
                    }

                    break;
                case (4, WireVarint):
                    if (!TryReadVarint(message, ref pos, out var partial))
                    {
                        return false;
                    }

                    entry.Partial = partial != 0;
                    break;
                case (5, WireLengthDelimited):
                    // A repeated embedded message merges into the one before, as protobuf does.
                    if (!TryReadBytes(message, ref pos, out var metadata) || !TryDecodeMetadata(metadata, ref entry))
                    {
                        return false;
                    }

                    entry.HasMetadata = true;
                    break;
                case (1 or 2 or 3 or 4 or 5, _):
                    return false;
                default:
                    if (field == 0 || !TrySkip(message, ref pos, wire))
                    {
                        return false;
                    }

                    break;
            }
        }

        return true;
    }

    private static bool TryDecodeMetadata(ReadOnlySpan<byte> message, ref LocalLogEntry entry)
    {
        var pos = 0;
        while (pos < message.Length)
        {
            if (!TryReadVarint(message, ref pos, out var key) || key > uint.MaxValue)
            {
                return false;
            }

            var field = key >> 3;
            var wire = (int)(key & 7);
            switch (field, wire)
            {
                case (1, WireVarint):
                    if (!TryReadVarint(message, ref pos, out var last))
                    {
                        return false;
                    }

                    entry.Last = last != 0;
                    break;
                case (2, WireLengthDelimited):
                    if (!TryReadBytes(message, ref pos, out entry.PartialId))
                    {
                        return false;
                    }

                    break;
                case (3, WireVarint):
                    if (!TryReadVarint(message, ref pos, out var ordinal))
                    {
                        return false;
                    }

                    entry.Ordinal = unchecked((int)ordinal);
                    break;
                case (1 or 2 or 3, _):
                    return false;
                default:
                    if (field == 0 || !TrySkip(message, ref pos, wire))
                    {
                        return false;
                    }

                    break;
            }
        }

        return true;
    }

    private static bool TrySkip(ReadOnlySpan<byte> data, scoped ref int pos, int wire)
    {
        switch (wire)
        {
            case WireVarint:
                return TryReadVarint(data, ref pos, out _);
            case WireFixed64:
                pos += 8;
                return pos <= data.Length;
            case WireLengthDelimited:
                return TryReadBytes(data, ref pos, out _);
            case WireFixed32:
                pos += 4;
                return pos <= data.Length;
            default:
                // Groups (3, 4) were never part of proto3; 6 and 7 do not exist.
                return false;
        }
    }

    private static bool TryReadBytes(ReadOnlySpan<byte> data, scoped ref int pos, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (!TryReadVarint(data, ref pos, out var length) || length > (ulong)(data.Length - pos))
        {
            return false;
        }

        value = data.Slice(pos, (int)length);
        pos += (int)length;
        return true;
    }

    private static bool TryReadVarint(ReadOnlySpan<byte> data, scoped ref int pos, out ulong value)
    {
        value = 0;
        for (var shift = 0; shift < 64; shift += 7)
        {
            if (pos >= data.Length)
            {
                return false;
            }

            var b = data[pos++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                // The tenth byte may only carry the top bit of a 64-bit value.
                return shift < 63 || b <= 1;
            }
        }

        return false;
    }

    private static int VarintLength(ulong value)
    {
        var n = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            n++;
        }

        return n;
    }

    private static int WriteVarint(Span<byte> dest, ulong value)
    {
        var n = 0;
        while (value >= 0x80)
        {
            dest[n++] = (byte)(value | 0x80);
            value >>= 7;
        }

        dest[n++] = (byte)value;
        return n;
    }
}

/// <summary>A decoded <c>LogEntry</c>; its spans point into the decoded message.</summary>
public ref struct LocalLogEntry
{
    public ReadOnlySpan<byte> Source;
    public long TimeNano;
    public ReadOnlySpan<byte> Line;
    public bool Partial;
    public bool HasMetadata;
    public bool Last;
    public ReadOnlySpan<byte> PartialId;
    public int Ordinal;
}
