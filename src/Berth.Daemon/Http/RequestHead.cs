using System.Buffers;
using System.Globalization;
using System.Text;

namespace Berth.Daemon.Http;

/// <summary>
/// What the connection middleware learns from the start of a connection before Kestrel sees it:
/// whether the bytes can still become an HTTP/1.x request head, and once the head is complete,
/// its framing headers. Bytes that can never be a request (binary garbage, a bad request line)
/// are refused at once with 400 and the connection closed, instead of waiting for a head end
/// that never comes. A head that frames its body two ways (Content-Length and
/// Transfer-Encoding, or two different Content-Lengths) is refused too: a proxy in front of
/// the daemon may frame it the other way (request smuggling).
/// </summary>
public sealed class RequestHead
{
    private RequestHead(string text, bool isHijack, long? contentLength, bool chunked)
    {
        Text = text;
        IsHijack = isHijack;
        ContentLength = contentLength;
        Chunked = chunked;
    }

    /// <summary>The head, request line to the empty line, in Latin-1.</summary>
    public string Text { get; }

    /// <summary>The client asked for a hijacked stream (<c>Upgrade: tcp</c>).</summary>
    public bool IsHijack { get; }

    public long? ContentLength { get; }

    public bool Chunked { get; }

    public enum Verdict
    {
        /// <summary>The bytes so far are a valid start of a head; wait for more.</summary>
        NeedMore,

        /// <summary>The head is complete and framed unambiguously.</summary>
        Complete,

        /// <summary>Not HTTP/1.x at all, or an ambiguous head: answer 400 and close.</summary>
        Malformed,

        /// <summary>The request line is longer than the limit: answer 414 and close.</summary>
        RequestLineTooLong,

        /// <summary>The head is longer than the limit: Kestrel answers 431 for it.</summary>
        TooLarge,
    }

    private static ReadOnlySpan<byte> HeadEnd => "\r\n\r\n"u8;

    /// <summary>Looks at the bytes received so far. <paramref name="head"/> is set for <see cref="Verdict.Complete"/>; <paramref name="error"/> says why for <see cref="Verdict.Malformed"/>.</summary>
    public static Verdict Inspect(ReadOnlySequence<byte> buffer, int maxRequestLine, int maxHead, out RequestHead? head, out string? error)
    {
        head = null;
        error = null;
        var bytes = buffer.Length > maxHead + HeadEnd.Length ? buffer.Slice(0, maxHead + HeadEnd.Length).ToArray() : buffer.ToArray();
        var lineEnd = Array.IndexOf(bytes, (byte)'\n');
        var line = lineEnd < 0 ? bytes : bytes.AsSpan(0, lineEnd).ToArray();
        if (CheckRequestLine(line, complete: lineEnd >= 0) is { } lineError)
        {
            error = lineError;
            return Verdict.Malformed;
        }

        if (lineEnd < 0)
        {
            return bytes.Length > maxRequestLine ? Verdict.RequestLineTooLong : Verdict.NeedMore;
        }

        if (lineEnd > maxRequestLine)
        {
            return Verdict.RequestLineTooLong;
        }

        var end = bytes.AsSpan().IndexOf(HeadEnd);
        if (end < 0)
        {
            return bytes.Length > maxHead ? Verdict.TooLarge : Verdict.NeedMore;
        }

        var text = Encoding.Latin1.GetString(bytes, 0, end + HeadEnd.Length);
        return Parse(text, out head, out error) ? Verdict.Complete : Verdict.Malformed;
    }

    /// <summary>
    /// The request line as far as it has come: a method token, one space, a target of visible
    /// ASCII, one space, HTTP/1.0 or HTTP/1.1, CRLF. Returns why it can never be one, or null.
    /// </summary>
    private static string? CheckRequestLine(ReadOnlySpan<byte> line, bool complete)
    {
        const string Bad = "malformed HTTP request line";
        var i = 0;
        while (i < line.Length && IsTokenChar(line[i]))
        {
            i++;
        }

        if (i == line.Length)
        {
            return complete ? Bad : null;
        }

        if (i == 0 || line[i] != ' ')
        {
            return Bad;
        }

        i++;
        var targetStart = i;
        while (i < line.Length && line[i] is > 0x20 and < 0x7f)
        {
            i++;
        }

        if (i == line.Length)
        {
            return complete ? Bad : null;
        }

        if (i == targetStart || line[i] != ' ')
        {
            return Bad;
        }

        var version = line[(i + 1)..];
        ReadOnlySpan<byte> v11 = "HTTP/1.1\r"u8;
        ReadOnlySpan<byte> v10 = "HTTP/1.0\r"u8;
        var n = Math.Min(version.Length, v11.Length);
        if (!version[..n].SequenceEqual(v11[..n]) && !version[..n].SequenceEqual(v10[..n]))
        {
            return version.Length >= 5 && version[..5].SequenceEqual("HTTP/"u8) ? "unsupported HTTP version" : Bad;
        }

        return complete && version.Length != v11.Length ? Bad : null;
    }

    private static bool IsTokenChar(byte b) =>
        b is (>= (byte)'a' and <= (byte)'z') or (>= (byte)'A' and <= (byte)'Z') or (>= (byte)'0' and <= (byte)'9')
        || "!#$%&'*+-.^_`|~"u8.Contains(b);

    private static bool Parse(string text, out RequestHead? head, out string? error)
    {
        head = null;
        error = null;
        var lines = text[..^4].Split("\r\n");
        long? length = null;
        var chunked = false;
        var transferEncoding = false;
        var hijack = false;
        for (var i = 1; i < lines.Length; i++)
        {
            var colon = lines[i].IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                error = "malformed HTTP header line";
                return false;
            }

            var name = lines[i].AsSpan(0, colon);
            var value = lines[i].AsSpan(colon + 1).Trim(" \t");
            if (name.Equals("content-length", StringComparison.OrdinalIgnoreCase))
            {
                if (!long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                {
                    error = $"invalid Content-Length \"{value}\"";
                    return false;
                }

                if (length is { } previous && previous != n)
                {
                    error = "request has two different Content-Length headers";
                    return false;
                }

                length = n;
            }
            else if (name.Equals("transfer-encoding", StringComparison.OrdinalIgnoreCase))
            {
                transferEncoding = true;
                chunked |= value.EndsWith("chunked", StringComparison.OrdinalIgnoreCase);
            }
            else if (name.Equals("upgrade", StringComparison.OrdinalIgnoreCase))
            {
                hijack |= value.Equals("tcp", StringComparison.OrdinalIgnoreCase);
            }
        }

        if (transferEncoding && length is not null)
        {
            error = "request has both Content-Length and Transfer-Encoding";
            return false;
        }

        head = new RequestHead(text, hijack, length, chunked);
        return true;
    }

    /// <summary>
    /// The head Kestrel is given for a hijack: without Content-Length (the middleware has taken
    /// the body off the socket), so Kestrel treats it as the bodiless upgrade it will grant.
    /// </summary>
    public string WithoutBodyFraming()
    {
        var lines = Text[..^4].Split("\r\n");
        var kept = lines.Where((l, i) => i == 0 || !(l.StartsWith("content-length:", StringComparison.OrdinalIgnoreCase) || l.StartsWith("content-length ", StringComparison.OrdinalIgnoreCase)));
        return string.Join("\r\n", kept) + "\r\n\r\n";
    }
}
