using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.AspNetCore.Connections;

namespace Berth.Daemon.Http;

/// <summary>
/// Docker clients send <c>exec start</c> as an upgrade request (<c>Upgrade: tcp</c>) that also has
/// a JSON body; Kestrel will not upgrade a request with a body. Hijack requests always come on a
/// fresh connection, so this connection middleware looks at the first request head only: if it
/// asks for <c>Upgrade: tcp</c> and has a Content-Length, the header name is renamed in place to
/// <see cref="BodyLengthHeader"/> (same length, so no bytes move). Kestrel then upgrades, and the
/// endpoint reads that many body bytes from the upgraded stream before the stdin that follows.
/// Other connections are only peeked at, never copied.
/// </summary>
public static class HijackConnectionMiddleware
{
    public const string BodyLengthHeader = "X-Hijack-Bytes";

    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();
    private static readonly byte[] ContentLength = "\r\ncontent-length:"u8.ToArray();
    private const int MaxHead = 16 * 1024;

    public static Func<ConnectionDelegate, ConnectionDelegate> Create() => next => async connection =>
    {
        var input = connection.Transport.Input;
        while (true)
        {
            var result = await input.ReadAsync(connection.ConnectionClosed).ConfigureAwait(false);
            var buffer = result.Buffer;
            var headLength = IndexOf(buffer, HeadEnd);
            if (headLength >= 0 || result.IsCompleted || buffer.Length > MaxHead)
            {
                if (headLength >= 0)
                {
                    RewriteIfHijack(buffer.Slice(0, headLength + 2));
                }

                input.AdvanceTo(buffer.Start, buffer.Start);
                break;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }

        await next(connection).ConfigureAwait(false);
    };

    private static void RewriteIfHijack(ReadOnlySequence<byte> head)
    {
        var text = Encoding.Latin1.GetString(head);
        var lower = text.ToLowerInvariant();
        if (!lower.Contains("\r\nupgrade: tcp", StringComparison.Ordinal) && !lower.Contains("\r\nupgrade:tcp", StringComparison.Ordinal))
        {
            return;
        }

        var at = lower.IndexOf(Encoding.Latin1.GetString(ContentLength), StringComparison.Ordinal);
        if (at < 0)
        {
            return;
        }

        // Overwrite "Content-Length" (14 bytes) after the CRLF with the private header name.
        var name = Encoding.ASCII.GetBytes(BodyLengthHeader);
        var offset = at + 2;
        var pos = head.GetPosition(offset);
        var remaining = head.Slice(pos);
        var written = 0;
        foreach (var segment in remaining)
        {
            var span = MemoryMarshal.AsMemory(segment).Span;
            var n = Math.Min(span.Length, name.Length - written);
            name.AsSpan(written, n).CopyTo(span);
            written += n;
            if (written == name.Length)
            {
                break;
            }
        }
    }

    private static long IndexOf(ReadOnlySequence<byte> buffer, byte[] needle)
    {
        if (buffer.IsSingleSegment)
        {
            return buffer.FirstSpan.IndexOf(needle);
        }

        var reader = new SequenceReader<byte>(buffer);
        return reader.TryReadTo(out ReadOnlySequence<byte> before, needle, advancePastDelimiter: false) ? before.Length : -1;
    }
}
