using System.Buffers;
using System.Runtime.InteropServices;
using System.Text;
using System.IO.Pipelines;
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
/// <para>
/// Docker clients half-close a hijacked connection when they have no more stdin (or none at all)
/// and keep reading the output; Kestrel treats a FIN as the end of the whole connection. So for a
/// hijack connection the transport input is relayed through a pipe that hides the FIN from
/// Kestrel and publishes it as <see cref="HalfClose"/> instead (see <see cref="Hijack"/>).
/// </para>
/// </summary>
public static class HijackConnectionMiddleware
{
    public const string BodyLengthHeader = "X-Hijack-Bytes";

    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();
    private static readonly byte[] ContentLength = "\r\ncontent-length:"u8.ToArray();
    private const int MaxHead = 16 * 1024;

    /// <summary>Connection item key of the <see cref="HalfClose"/> of a hijack connection.</summary>
    public const string HalfCloseKey = "berth.hijack-half-close";

    public static Func<ConnectionDelegate, ConnectionDelegate> Create() => next => async connection =>
    {
        var input = connection.Transport.Input;
        var hijack = false;
        while (true)
        {
            var result = await input.ReadAsync(connection.ConnectionClosed).ConfigureAwait(false);
            var buffer = result.Buffer;
            var headLength = IndexOf(buffer, HeadEnd);
            if (headLength >= 0 || result.IsCompleted || buffer.Length > MaxHead)
            {
                if (headLength >= 0)
                {
                    hijack = RewriteIfHijack(buffer.Slice(0, headLength + 2));
                }

                input.AdvanceTo(buffer.Start, buffer.Start);
                break;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }

        if (!hijack)
        {
            await next(connection).ConfigureAwait(false);
            return;
        }

        var halfClose = new HalfClose();
        connection.Items[HalfCloseKey] = halfClose;
        var relay = new Pipe(new PipeOptions(useSynchronizationContext: false));
        var transport = connection.Transport;
        using var failed = new CancellationTokenSource();
        var pump = RelayAsync(transport.Input, relay.Writer, halfClose, failed);
        try
        {
            await next(new HijackConnectionContext(connection, new RelayedTransport(relay.Reader, transport.Output), failed.Token)).ConfigureAwait(false);
        }
        finally
        {
            await relay.Writer.CompleteAsync().ConfigureAwait(false);
            await transport.Input.CompleteAsync().ConfigureAwait(false);
            await pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    };

    /// <summary>Copies the client's bytes to Kestrel; the client's FIN is reported, not passed on.</summary>
    private static async Task RelayAsync(PipeReader from, PipeWriter to, HalfClose halfClose, CancellationTokenSource failed)
    {
        try
        {
            while (true)
            {
                var result = await from.ReadAsync().ConfigureAwait(false);
                foreach (var segment in result.Buffer)
                {
                    await to.WriteAsync(segment).ConfigureAwait(false);
                }

                from.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    break;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or InvalidOperationException or IOException or ConnectionResetException)
        {
            // A reset, not a half-close: the connection is gone both ways.
            await failed.CancelAsync().ConfigureAwait(false);
        }
        finally
        {
            halfClose.Signal();
        }
    }

    private static bool RewriteIfHijack(ReadOnlySequence<byte> head)
    {
        var text = Encoding.Latin1.GetString(head);
        var lower = text.ToLowerInvariant();
        if (!lower.Contains("\r\nupgrade: tcp", StringComparison.Ordinal) && !lower.Contains("\r\nupgrade:tcp", StringComparison.Ordinal))
        {
            return false;
        }

        var at = lower.IndexOf(Encoding.Latin1.GetString(ContentLength), StringComparison.Ordinal);
        if (at < 0)
        {
            return true;
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

        return true;
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
