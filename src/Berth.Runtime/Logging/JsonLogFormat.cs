using System.Buffers;
using System.Buffers.Text;
using System.Numerics;
using System.Runtime.Intrinsics;
using System.Text;

namespace Berth.Runtime.Logging;

/// <summary>
/// Docker's json-file line format: {"log":"...","stream":"stdout","time":"RFC3339Nano"}\n.
/// Escaping follows Docker's writer: quotes, backslash, \n and \r named; other control bytes and
/// &lt; &gt; &amp; as \u00XX; invalid UTF-8 as \ufffd; U+2028/2029 escaped. Hand-written because
/// this is the hottest path of a chatty container.
/// </summary>
public static class JsonLogFormat
{
    private static readonly SearchValues<byte> NeedsEscape = SearchValues.Create(BuildEscapeSet());

    private static ReadOnlySpan<byte> Hex => "0123456789abcdef"u8;

    /// <summary>An upper bound of the encoded size of a line, for buffer sizing.</summary>
    public static int MaxEncodedLength(int lineLength) => (lineLength * 6) + 80;

    /// <summary>Writes one encoded entry (with the trailing newline) into <paramref name="dest"/>; returns bytes written.</summary>
    public static int Encode(Span<byte> dest, OutputStream stream, ReadOnlySpan<byte> line, long unixNanos)
    {
        var pos = 0;
        "{\"log\":\""u8.CopyTo(dest);
        pos += 8;
        pos += EscapeString(dest[pos..], line);
        var mid = stream == OutputStream.Stderr ? "\",\"stream\":\"stderr\",\"time\":\""u8 : "\",\"stream\":\"stdout\",\"time\":\""u8;
        mid.CopyTo(dest[pos..]);
        pos += mid.Length;
        pos += FormatTime(dest[pos..], unixNanos);
        "\"}\n"u8.CopyTo(dest[pos..]);
        return pos + 3;
    }

    /// <summary>Escapes the content of a JSON string (without quotes).</summary>
    public static int EscapeString(Span<byte> dest, ReadOnlySpan<byte> s)
    {
        var pos = 0;
        while (s.Length > 0)
        {
            var i = IndexOfEscape(s);
            if (i < 0)
            {
                s.CopyTo(dest[pos..]);
                return pos + s.Length;
            }

            s[..i].CopyTo(dest[pos..]);
            pos += i;
            s = s[i..];
            var b = s[0];
            if (b < 0x80)
            {
                switch (b)
                {
                    case (byte)'"':
                    case (byte)'\\':
                        dest[pos++] = (byte)'\\';
                        dest[pos++] = b;
                        break;
                    case (byte)'\n':
                        dest[pos++] = (byte)'\\';
                        dest[pos++] = (byte)'n';
                        break;
                    case (byte)'\r':
                        dest[pos++] = (byte)'\\';
                        dest[pos++] = (byte)'r';
                        break;
                    default:
                        "\\u00"u8.CopyTo(dest[pos..]);
                        dest[pos + 4] = Hex[b >> 4];
                        dest[pos + 5] = Hex[b & 0xf];
                        pos += 6;
                        break;
                }

                s = s[1..];
                continue;
            }

            var status = Rune.DecodeFromUtf8(s, out var rune, out var size);
            if (status != OperationStatus.Done)
            {
                "\\ufffd"u8.CopyTo(dest[pos..]);
                pos += 6;
                s = s[1..];
                continue;
            }

            if (rune.Value is 0x2028 or 0x2029)
            {
                "\\u202"u8.CopyTo(dest[pos..]);
                dest[pos + 5] = Hex[rune.Value & 0xf];
                pos += 6;
            }
            else
            {
                s[..size].CopyTo(dest[pos..]);
                pos += size;
            }

            s = s[size..];
        }

        return pos;
    }

    /// <summary>
    /// The first byte that needs escaping (control bytes, quote, backslash, &lt; &gt; &amp;, any
    /// non-ASCII byte), or -1. Sixteen bytes a step with SSE2-level instructions, which every
    /// x64 Native AOT build has: SearchValues over this set (it has non-ASCII bytes) falls back
    /// to a byte-at-a-time loop there, and that loop was a third of the monitor's CPU time.
    /// </summary>
    public static int IndexOfEscape(ReadOnlySpan<byte> s)
    {
        var i = 0;
        if (Vector128.IsHardwareAccelerated)
        {
            // As signed bytes, "less than 0x20" is both the control bytes and every byte >= 0x80.
            var space = Vector128.Create((sbyte)0x20);
            var quote = Vector128.Create((byte)'"');
            var backslash = Vector128.Create((byte)'\\');
            var lt = Vector128.Create((byte)'<');
            var gt = Vector128.Create((byte)'>');
            var amp = Vector128.Create((byte)'&');
            for (; i <= s.Length - Vector128<byte>.Count; i += Vector128<byte>.Count)
            {
                var v = Vector128.Create(s.Slice(i, Vector128<byte>.Count));
                var hit = Vector128.LessThan(v.AsSByte(), space).AsByte()
                    | Vector128.Equals(v, quote) | Vector128.Equals(v, backslash)
                    | Vector128.Equals(v, lt) | Vector128.Equals(v, gt) | Vector128.Equals(v, amp);
                if (hit != Vector128<byte>.Zero)
                {
                    return i + BitOperations.TrailingZeroCount(hit.ExtractMostSignificantBits());
                }
            }
        }

        var rest = s[i..].IndexOfAny(NeedsEscape);
        return rest < 0 ? -1 : i + rest;
    }

    /// <summary>Go's RFC3339Nano in UTC: fraction without trailing zeros, no dot when zero.</summary>
    public static int FormatTime(Span<byte> dest, long unixNanos)
    {
        var seconds = Math.DivRem(unixNanos, 1_000_000_000L, out var nanos);
        if (nanos < 0)
        {
            seconds--;
            nanos += 1_000_000_000L;
        }

        var dt = DateTime.UnixEpoch.AddSeconds(seconds);
        var pos = 0;
        Write4(dest, ref pos, dt.Year);
        dest[pos++] = (byte)'-';
        Write2(dest, ref pos, dt.Month);
        dest[pos++] = (byte)'-';
        Write2(dest, ref pos, dt.Day);
        dest[pos++] = (byte)'T';
        Write2(dest, ref pos, dt.Hour);
        dest[pos++] = (byte)':';
        Write2(dest, ref pos, dt.Minute);
        dest[pos++] = (byte)':';
        Write2(dest, ref pos, dt.Second);
        if (nanos != 0)
        {
            dest[pos++] = (byte)'.';
            var digits = 9;
            var n = nanos;
            while (n % 10 == 0)
            {
                n /= 10;
                digits--;
            }

            for (var i = digits - 1; i >= 0; i--)
            {
                dest[pos + i] = (byte)('0' + (n % 10));
                n /= 10;
            }

            pos += digits;
        }

        dest[pos++] = (byte)'Z';
        return pos;
    }

    /// <summary>Parses RFC3339 with optional fraction and Z or ±hh:mm into unix nanoseconds.</summary>
    public static bool TryParseTime(ReadOnlySpan<byte> s, out long unixNanos)
    {
        unixNanos = 0;
        if (s.Length < 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':')
        {
            return false;
        }

        if (!Num(s[..4], out var year) || !Num(s.Slice(5, 2), out var month) || !Num(s.Slice(8, 2), out var day)
            || !Num(s.Slice(11, 2), out var hour) || !Num(s.Slice(14, 2), out var minute) || !Num(s.Slice(17, 2), out var second))
        {
            return false;
        }

        var pos = 19;
        long frac = 0;
        if (pos < s.Length && s[pos] == '.')
        {
            pos++;
            var digits = 0;
            while (pos < s.Length && s[pos] >= '0' && s[pos] <= '9')
            {
                if (digits < 9)
                {
                    frac = (frac * 10) + (s[pos] - '0');
                    digits++;
                }

                pos++;
            }

            for (; digits < 9; digits++)
            {
                frac *= 10;
            }
        }

        long offsetSeconds = 0;
        if (pos < s.Length && s[pos] == 'Z')
        {
            pos++;
        }
        else if (pos + 6 <= s.Length && (s[pos] == '+' || s[pos] == '-') && Num(s.Slice(pos + 1, 2), out var oh) && Num(s.Slice(pos + 4, 2), out var om))
        {
            offsetSeconds = ((oh * 60) + om) * 60 * (s[pos] == '-' ? -1 : 1);
            pos += 6;
        }
        else
        {
            return false;
        }

        if (month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 60)
        {
            return false;
        }

        var dt = new DateTime(year, month, day, hour, minute, Math.Min(second, 59), DateTimeKind.Utc);
        var secs = ((dt.Ticks - DateTime.UnixEpoch.Ticks) / TimeSpan.TicksPerSecond) - offsetSeconds;
        unixNanos = (secs * 1_000_000_000L) + frac;
        return pos == s.Length;

        static bool Num(ReadOnlySpan<byte> d, out int value) => Utf8Parser.TryParse(d, out value, out var used) && used == d.Length;
    }

    /// <summary>
    /// Parses one json-file line (without its newline). Decoded log bytes are appended to
    /// <paramref name="output"/>. Fast path for Docker's field order; any other valid shape
    /// goes through <see cref="System.Text.Json.Utf8JsonReader"/>.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> json, IBufferWriter<byte> output, out OutputStream stream, out long unixNanos)
    {
        ArgumentNullException.ThrowIfNull(output);
        stream = OutputStream.Stdout;
        unixNanos = 0;
        if (json.StartsWith("{\"log\":\""u8))
        {
            var rest = json[8..];
            var end = FindStringEnd(rest);
            if (end >= 0)
            {
                var raw = rest[..end];
                var after = rest[(end + 1)..];
                if (after.StartsWith(",\"stream\":\"std"u8) && after.Length > 40)
                {
                    stream = after[14] == 'e' ? OutputStream.Stderr : OutputStream.Stdout;
                    var t = after[17..];
                    if (t.StartsWith("\",\"time\":\""u8))
                    {
                        t = t[10..];
                        var q = t.IndexOf((byte)'"');
                        if (q > 0 && t[(q + 1)..].SequenceEqual("}"u8) && TryParseTime(t[..q], out unixNanos))
                        {
                            Unescape(raw, output);
                            return true;
                        }
                    }
                }
            }
        }

        return TryParseSlow(json, output, out stream, out unixNanos);
    }

    private static bool TryParseSlow(ReadOnlySpan<byte> json, IBufferWriter<byte> output, out OutputStream stream, out long unixNanos)
    {
        stream = OutputStream.Stdout;
        unixNanos = 0;
        try
        {
            var reader = new System.Text.Json.Utf8JsonReader(json);
            if (!reader.Read() || reader.TokenType != System.Text.Json.JsonTokenType.StartObject)
            {
                return false;
            }

            var haveTime = false;
            byte[]? log = null;
            while (reader.Read() && reader.TokenType == System.Text.Json.JsonTokenType.PropertyName)
            {
                var name = reader.GetString();
                reader.Read();
                switch (name)
                {
                    case "log" when reader.TokenType == System.Text.Json.JsonTokenType.String:
                        log = Encoding.UTF8.GetBytes(reader.GetString() ?? string.Empty);
                        break;
                    case "stream" when reader.TokenType == System.Text.Json.JsonTokenType.String:
                        stream = reader.ValueTextEquals("stderr"u8) ? OutputStream.Stderr : OutputStream.Stdout;
                        break;
                    case "time" when reader.TokenType == System.Text.Json.JsonTokenType.String:
                        haveTime = TryParseTime(reader.ValueSpan, out unixNanos);
                        break;
                    default:
                        reader.Skip();
                        break;
                }
            }

            if (log is null || !haveTime)
            {
                return false;
            }

            output.Write(log);
            return true;
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException)
        {
            // InvalidOperationException: a string that is not valid UTF-8 (a torn or corrupt line,
            // found by fuzzing); like any unreadable line it is skipped, not the end of the log.
            return false;
        }
    }

    /// <summary>Index of the closing quote of a JSON string body, skipping escapes; -1 if none.</summary>
    private static int FindStringEnd(ReadOnlySpan<byte> s)
    {
        var offset = 0;
        while (true)
        {
            var i = s[offset..].IndexOfAny((byte)'"', (byte)'\\');
            if (i < 0)
            {
                return -1;
            }

            offset += i;
            if (s[offset] == '"')
            {
                return offset;
            }

            offset += 2;
            if (offset >= s.Length)
            {
                return -1;
            }
        }
    }

    private static void Unescape(ReadOnlySpan<byte> raw, IBufferWriter<byte> output)
    {
        var dest = output.GetSpan(raw.Length);
        var pos = 0;
        while (raw.Length > 0)
        {
            var i = raw.IndexOf((byte)'\\');
            if (i < 0)
            {
                raw.CopyTo(dest[pos..]);
                pos += raw.Length;
                break;
            }

            raw[..i].CopyTo(dest[pos..]);
            pos += i;
            if (i + 1 >= raw.Length)
            {
                break;
            }

            var c = raw[i + 1];
            raw = raw[(i + 2)..];
            switch (c)
            {
                case (byte)'n': dest[pos++] = (byte)'\n'; break;
                case (byte)'r': dest[pos++] = (byte)'\r'; break;
                case (byte)'t': dest[pos++] = (byte)'\t'; break;
                case (byte)'b': dest[pos++] = (byte)'\b'; break;
                case (byte)'f': dest[pos++] = (byte)'\f'; break;
                case (byte)'u':
                    if (raw.Length >= 4 && Utf8Parser.TryParse(raw[..4], out ushort code, out var used, 'x') && used == 4)
                    {
                        raw = raw[4..];
                        int cp = code;
                        if (char.IsHighSurrogate((char)code) && raw.Length >= 6 && raw[0] == '\\' && raw[1] == 'u'
                            && Utf8Parser.TryParse(raw.Slice(2, 4), out ushort low, out var used2, 'x') && used2 == 4 && char.IsLowSurrogate((char)low))
                        {
                            cp = char.ConvertToUtf32((char)code, (char)low);
                            raw = raw[6..];
                        }
                        else if (char.IsSurrogate((char)code))
                        {
                            cp = 0xfffd;
                        }

                        pos += new Rune(cp).EncodeToUtf8(dest[pos..]);
                    }

                    break;
                default: dest[pos++] = c; break;
            }
        }

        output.Advance(pos);
    }

    private static void Write2(Span<byte> d, ref int pos, int v)
    {
        d[pos++] = (byte)('0' + (v / 10));
        d[pos++] = (byte)('0' + (v % 10));
    }

    private static void Write4(Span<byte> d, ref int pos, int v)
    {
        d[pos++] = (byte)('0' + (v / 1000));
        d[pos++] = (byte)('0' + (v / 100 % 10));
        d[pos++] = (byte)('0' + (v / 10 % 10));
        d[pos++] = (byte)('0' + (v % 10));
    }

    private static byte[] BuildEscapeSet()
    {
        var list = new List<byte>();
        for (var b = 0; b < 0x20; b++)
        {
            list.Add((byte)b);
        }

        list.AddRange("\"\\<>&"u8.ToArray());
        for (var b = 0x80; b <= 0xff; b++)
        {
            list.Add((byte)b);
        }

        return [.. list];
    }
}
