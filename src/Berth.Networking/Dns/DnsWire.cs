using System.Buffers.Binary;
using System.Text;

namespace Berth.Networking.Dns;

/// <summary>
/// The small part of the DNS wire format (RFC 1035) the embedded server answers itself: one
/// question in, A/AAAA/PTR answers or an empty/error reply out. Everything else is forwarded
/// untouched, so no general-purpose parser is needed on the hot path.
/// </summary>
public static class DnsWire
{
    public const ushort TypeA = 1;
    public const ushort TypePtr = 12;
    public const ushort TypeMx = 15;
    public const ushort TypeAaaa = 28;
    public const ushort TypeSrv = 33;
    public const ushort TypeOpt = 41;
    public const ushort ClassIn = 1;
    public const int RcodeOk = 0;
    public const int RcodeFormErr = 1;
    public const int RcodeServFail = 2;
    public const int RcodeNxDomain = 3;
    public const int HeaderSize = 12;

    /// <summary>Parses the header and the single question; false for anything that is not a one-question query.</summary>
    public static bool TryParseQuery(ReadOnlySpan<byte> msg, out DnsQuestion question)
    {
        question = default;
        if (msg.Length < HeaderSize)
        {
            return false;
        }

        var id = BinaryPrimitives.ReadUInt16BigEndian(msg);
        var flags = BinaryPrimitives.ReadUInt16BigEndian(msg[2..]);
        var qd = BinaryPrimitives.ReadUInt16BigEndian(msg[4..]);
        var an = BinaryPrimitives.ReadUInt16BigEndian(msg[6..]);
        var ar = BinaryPrimitives.ReadUInt16BigEndian(msg[10..]);
        if ((flags & 0x8000) != 0 || qd != 1 || an != 0)
        {
            return false;
        }

        var pos = HeaderSize;
        var name = new StringBuilder(64);
        while (true)
        {
            if (pos >= msg.Length)
            {
                return false;
            }

            int len = msg[pos];
            if (len == 0)
            {
                pos++;
                break;
            }

            if ((len & 0xC0) != 0 || pos + 1 + len > msg.Length || name.Length + len > 253)
            {
                return false; // compression in a question or an oversized name: not a query we answer
            }

            if (name.Length > 0)
            {
                name.Append('.');
            }

            foreach (var b in msg.Slice(pos + 1, len))
            {
                name.Append(b is >= (byte)'A' and <= (byte)'Z' ? (char)(b + 32) : (char)b);
            }

            pos += 1 + len;
        }

        if (pos + 4 > msg.Length)
        {
            return false;
        }

        var type = BinaryPrimitives.ReadUInt16BigEndian(msg[pos..]);
        var cls = BinaryPrimitives.ReadUInt16BigEndian(msg[(pos + 2)..]);
        pos += 4;
        question = new DnsQuestion(id, flags, name.ToString(), type, cls, pos, ar > 0 ? EdnsUdpSize(msg[pos..], ar) : 512);
        return true;
    }

    /// <summary>Writes a reply with A (4-byte) or AAAA (16-byte) records, truncating (TC) to <paramref name="maxSize"/>.</summary>
    public static int WriteAddresses(Span<byte> dst, ReadOnlySpan<byte> query, in DnsQuestion q, ReadOnlySpan<uint> ipv4, int ttl, int maxSize)
    {
        var len = WriteHead(dst, query, q, RcodeOk);
        var count = 0;
        var truncated = false;
        foreach (var ip in ipv4)
        {
            const int rr = 2 + 2 + 2 + 4 + 2 + 4;
            if (len + rr > maxSize || len + rr > dst.Length)
            {
                truncated = true;
                break;
            }

            var s = dst[len..];
            BinaryPrimitives.WriteUInt16BigEndian(s, 0xC00C); // pointer to the question's name
            BinaryPrimitives.WriteUInt16BigEndian(s[2..], TypeA);
            BinaryPrimitives.WriteUInt16BigEndian(s[4..], ClassIn);
            BinaryPrimitives.WriteInt32BigEndian(s[6..], ttl);
            BinaryPrimitives.WriteUInt16BigEndian(s[10..], 4);
            BinaryPrimitives.WriteUInt32BigEndian(s[12..], ip);
            len += rr;
            count++;
        }

        BinaryPrimitives.WriteUInt16BigEndian(dst[6..], (ushort)count);
        if (truncated)
        {
            dst[2] |= 0x02;
        }

        return len;
    }

    /// <summary>Writes a PTR reply pointing at <paramref name="target"/> (a name without the trailing dot).</summary>
    public static int WritePtr(Span<byte> dst, ReadOnlySpan<byte> query, in DnsQuestion q, string target, int ttl)
    {
        var len = WriteHead(dst, query, q, RcodeOk);
        var s = dst[len..];
        BinaryPrimitives.WriteUInt16BigEndian(s, 0xC00C);
        BinaryPrimitives.WriteUInt16BigEndian(s[2..], TypePtr);
        BinaryPrimitives.WriteUInt16BigEndian(s[4..], ClassIn);
        BinaryPrimitives.WriteInt32BigEndian(s[6..], ttl);
        var rdata = s[12..];
        var n = WriteName(rdata, target);
        BinaryPrimitives.WriteUInt16BigEndian(s[10..], (ushort)n);
        BinaryPrimitives.WriteUInt16BigEndian(dst[6..], 1);
        return len + 12 + n;
    }

    /// <summary>Writes a reply without answers (NOERROR "no such record type", or an error code).</summary>
    public static int WriteEmpty(Span<byte> dst, ReadOnlySpan<byte> query, in DnsQuestion q, int rcode) => WriteHead(dst, query, q, rcode);

    /// <summary>A header-only error reply for a query we could not parse (echoes id and opcode).</summary>
    public static int WriteFormatError(Span<byte> dst, ReadOnlySpan<byte> query)
    {
        if (query.Length < 2 || dst.Length < HeaderSize)
        {
            return 0;
        }

        dst[..HeaderSize].Clear();
        query[..2].CopyTo(dst);
        var flags = query.Length >= 4 ? BinaryPrimitives.ReadUInt16BigEndian(query[2..]) : (ushort)0;
        BinaryPrimitives.WriteUInt16BigEndian(dst[2..], (ushort)(0x8000 | (flags & 0x7900) | 0x0080 | RcodeFormErr));
        return HeaderSize;
    }

    /// <summary>Encodes a dotted name as labels (no compression).</summary>
    public static int WriteName(Span<byte> dst, string name)
    {
        var pos = 0;
        foreach (var label in name.TrimEnd('.').Split('.'))
        {
            if (label.Length == 0)
            {
                continue;
            }

            var bytes = Encoding.ASCII.GetBytes(label);
            dst[pos++] = (byte)bytes.Length;
            bytes.CopyTo(dst[pos..]);
            pos += bytes.Length;
        }

        dst[pos++] = 0;
        return pos;
    }

    /// <summary>Builds a one-question query (tests and the forwarder's probes).</summary>
    public static byte[] BuildQuery(ushort id, string name, ushort type, bool recursionDesired = true)
    {
        var buf = new byte[HeaderSize + name.Length + 2 + 4 + 2];
        BinaryPrimitives.WriteUInt16BigEndian(buf, id);
        BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(2), (ushort)(recursionDesired ? 0x0100 : 0));
        BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(4), 1);
        var n = WriteName(buf.AsSpan(HeaderSize), name);
        BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(HeaderSize + n), type);
        BinaryPrimitives.WriteUInt16BigEndian(buf.AsSpan(HeaderSize + n + 2), ClassIn);
        return buf[..(HeaderSize + n + 4)];
    }

    /// <summary>Reads the IPv4 addresses of the A records of a reply (tests).</summary>
    public static IReadOnlyList<uint> ReadARecords(ReadOnlySpan<byte> msg, out int rcode, out bool truncated)
    {
        rcode = msg[3] & 0xF;
        truncated = (msg[2] & 0x02) != 0;
        var list = new List<uint>();
        var an = BinaryPrimitives.ReadUInt16BigEndian(msg[6..]);
        var pos = SkipName(msg, HeaderSize) + 4;
        for (var i = 0; i < an; i++)
        {
            pos = SkipName(msg, pos);
            var type = BinaryPrimitives.ReadUInt16BigEndian(msg[pos..]);
            var rdlen = BinaryPrimitives.ReadUInt16BigEndian(msg[(pos + 8)..]);
            if (type == TypeA && rdlen == 4)
            {
                list.Add(BinaryPrimitives.ReadUInt32BigEndian(msg[(pos + 10)..]));
            }

            pos += 10 + rdlen;
        }

        return list;
    }

    /// <summary>Reads the target name of the first PTR answer (tests).</summary>
    public static string? ReadPtr(ReadOnlySpan<byte> msg)
    {
        var an = BinaryPrimitives.ReadUInt16BigEndian(msg[6..]);
        var pos = SkipName(msg, HeaderSize) + 4;
        for (var i = 0; i < an; i++)
        {
            pos = SkipName(msg, pos);
            var type = BinaryPrimitives.ReadUInt16BigEndian(msg[pos..]);
            var rdlen = BinaryPrimitives.ReadUInt16BigEndian(msg[(pos + 8)..]);
            if (type == TypePtr)
            {
                var sb = new StringBuilder();
                var p = pos + 10;
                while (msg[p] != 0)
                {
                    sb.Append(Encoding.ASCII.GetString(msg.Slice(p + 1, msg[p]))).Append('.');
                    p += 1 + msg[p];
                }

                return sb.ToString();
            }

            pos += 10 + rdlen;
        }

        return null;
    }

    private static int WriteHead(Span<byte> dst, ReadOnlySpan<byte> query, in DnsQuestion q, int rcode)
    {
        BinaryPrimitives.WriteUInt16BigEndian(dst, q.Id);
        // QR, the query's opcode, RD and CD, RA set (as Docker's resolver replies), no AA.
        BinaryPrimitives.WriteUInt16BigEndian(dst[2..], (ushort)(0x8000 | (q.Flags & 0x7910) | 0x0080 | (rcode & 0xF)));
        BinaryPrimitives.WriteUInt16BigEndian(dst[4..], 1);
        BinaryPrimitives.WriteUInt16BigEndian(dst[6..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(dst[8..], 0);
        BinaryPrimitives.WriteUInt16BigEndian(dst[10..], 0);
        query[HeaderSize..q.QuestionEnd].CopyTo(dst[HeaderSize..]);
        return q.QuestionEnd;
    }

    private static int SkipName(ReadOnlySpan<byte> msg, int pos)
    {
        while (true)
        {
            int len = msg[pos];
            if (len == 0)
            {
                return pos + 1;
            }

            if ((len & 0xC0) == 0xC0)
            {
                return pos + 2;
            }

            pos += 1 + len;
        }
    }

    private static int EdnsUdpSize(ReadOnlySpan<byte> rest, int additional)
    {
        // The OPT pseudo-record's class is the client's UDP payload size (RFC 6891).
        var pos = 0;
        for (var i = 0; i < additional && pos < rest.Length; i++)
        {
            var start = pos;
            while (pos < rest.Length && rest[pos] != 0 && (rest[pos] & 0xC0) != 0xC0)
            {
                pos += 1 + rest[pos];
            }

            pos += pos < rest.Length && (rest[pos] & 0xC0) == 0xC0 ? 2 : 1;
            if (pos + 10 > rest.Length)
            {
                break;
            }

            var type = BinaryPrimitives.ReadUInt16BigEndian(rest[pos..]);
            var cls = BinaryPrimitives.ReadUInt16BigEndian(rest[(pos + 2)..]);
            var rdlen = BinaryPrimitives.ReadUInt16BigEndian(rest[(pos + 8)..]);
            if (type == TypeOpt && start == pos - 1)
            {
                return Math.Clamp((int)cls, 512, 4096);
            }

            pos += 10 + rdlen;
        }

        return 512;
    }
}
