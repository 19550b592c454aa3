using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Microsoft.AspNetCore.Connections;

namespace Berth.Daemon.Http;

/// <summary>
/// Docker's attach and exec start "hijack" the connection, and two things about them do not fit
/// Kestrel: exec start is an upgrade request that also has a JSON body (Kestrel upgrades only
/// bodiless requests), and clients half-close their side as soon as they have no more stdin
/// (Kestrel treats the client's FIN as the end of the connection and aborts the response, while
/// the client is still reading output). Hijacks always come on a fresh connection, so this
/// middleware looks at the first request head of each connection. Other connections are only
/// peeked at and pass through untouched. For a hijack (<c>Upgrade: tcp</c>) it:
/// <list type="bullet">
/// <item>takes the head and body off the socket, and gives Kestrel the head alone, with
/// Content-Length renamed to <see cref="BodyLengthHeader"/> (so Kestrel upgrades);</item>
/// <item>sends every later byte (the client's stdin) to a <see cref="HijackSession"/> pipe
/// instead of Kestrel, which completes that pipe at the client's FIN (stdin EOF for the
/// container) while Kestrel never sees an end of input;</item>
/// <item>hands Kestrel a connection whose ConnectionClosed fires only when the session is done.</item>
/// </list>
/// <see cref="Hijack.AcceptAsync"/> then joins the two halves: reads are the body, then stdin;
/// writes go through Kestrel's upgraded stream.
/// </summary>
public static class HijackConnectionMiddleware
{
    public const string BodyLengthHeader = "X-Hijack-Bytes";

    private static readonly byte[] HeadEnd = "\r\n\r\n"u8.ToArray();
    private const int MaxHead = 16 * 1024;
    private const int MaxBody = 1024 * 1024;

    public static Func<ConnectionDelegate, ConnectionDelegate> Create() => next => async connection =>
    {
        var input = connection.Transport.Input;
        var head = default(string);
        while (true)
        {
            var result = await input.ReadAsync(connection.ConnectionClosed).ConfigureAwait(false);
            var buffer = result.Buffer;
            var headLength = IndexOf(buffer, HeadEnd);
            if (headLength >= 0 || result.IsCompleted || buffer.Length > MaxHead)
            {
                if (headLength >= 0)
                {
                    head = Encoding.Latin1.GetString(buffer.Slice(0, headLength + HeadEnd.Length));
                }

                input.AdvanceTo(buffer.Start, buffer.Start);
                break;
            }

            input.AdvanceTo(buffer.Start, buffer.End);
        }

        if (head is null || !IsHijack(head) || !HasUsableBodyLength(head))
        {
            await next(connection).ConfigureAwait(false);
            return;
        }

        await RunHijackAsync(next, connection, head).ConfigureAwait(false);
    };

    private static async Task RunHijackAsync(ConnectionDelegate next, ConnectionContext connection, string head)
    {
        var (rewritten, bodyLength) = RewriteHead(head);
        if (bodyLength > MaxBody)
        {
            connection.Abort(new ConnectionAbortedException("hijack request body too large"));
            return;
        }

        // Take head and body off the socket.
        var input = connection.Transport.Input;
        var need = head.Length + bodyLength;
        byte[] body;
        while (true)
        {
            var result = await input.ReadAsync(connection.ConnectionClosed).ConfigureAwait(false);
            if (result.Buffer.Length >= need)
            {
                body = result.Buffer.Slice(head.Length, bodyLength).ToArray();
                input.AdvanceTo(result.Buffer.GetPosition(need));
                break;
            }

            if (result.IsCompleted)
            {
                input.AdvanceTo(result.Buffer.End);
                return; // the client left before sending its whole request
            }

            input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }

        var session = new HijackSession(body);
        var toKestrel = new Pipe();
        await toKestrel.Writer.WriteAsync(Encoding.Latin1.GetBytes(rewritten)).ConfigureAwait(false);
        connection.Features.Set(session);

        using var done = new CancellationTokenSource();
        var pump = PumpStdinAsync(input, session.Stdin.Writer, done.Token);
        var wrapped = new HijackConnectionContext(connection, new DuplexPipe(toKestrel.Reader, connection.Transport.Output), done.Token);
        try
        {
            await next(wrapped).ConfigureAwait(false);
        }
        finally
        {
            await done.CancelAsync().ConfigureAwait(false);
            await toKestrel.Writer.CompleteAsync().ConfigureAwait(false);
            await pump.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }

    private static async Task PumpStdinAsync(PipeReader from, PipeWriter to, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                var result = await from.ReadAsync(cancellationToken).ConfigureAwait(false);
                foreach (var segment in result.Buffer)
                {
                    await to.WriteAsync(segment, cancellationToken).ConfigureAwait(false);
                }

                from.AdvanceTo(result.Buffer.End);
                if (result.IsCompleted)
                {
                    break;
                }
            }

            await to.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e)
        {
            await to.CompleteAsync(e is OperationCanceledException ? null : e).ConfigureAwait(false);
        }
    }

    private static bool IsHijack(string head)
    {
        foreach (var line in head.Split("\r\n"))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line.AsSpan(0, colon).Trim().Equals("upgrade", StringComparison.OrdinalIgnoreCase)
                && line.AsSpan(colon + 1).Trim().Equals("tcp", StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// At most one Content-Length, of digits only. Anything else (negative, repeated, too big)
    /// is not taken over: Kestrel gets the connection untouched and answers 400 as for any request.
    /// </summary>
    private static bool HasUsableBodyLength(string head)
    {
        var seen = false;
        foreach (var line in head.Split("\r\n").Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0 && line.AsSpan(0, colon).Trim().Equals("content-length", StringComparison.OrdinalIgnoreCase))
            {
                if (seen || !int.TryParse(line.AsSpan(colon + 1).Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out _))
                {
                    return false;
                }

                seen = true;
            }
        }

        return true;
    }

    private static (string Head, int BodyLength) RewriteHead(string head)
    {
        var lines = head[..^4].Split("\r\n");
        var kept = new List<string>(lines.Length) { lines[0] };
        var length = 0;
        for (var i = 1; i < lines.Length; i++)
        {
            var colon = lines[i].IndexOf(':', StringComparison.Ordinal);
            var name = colon > 0 ? lines[i].AsSpan(0, colon).Trim() : default;
            if (name.Equals(BodyLengthHeader, StringComparison.OrdinalIgnoreCase))
            {
                continue; // only this middleware says how long the body it kept is
            }

            if (name.Equals("content-length", StringComparison.OrdinalIgnoreCase))
            {
                length = int.Parse(lines[i].AsSpan(colon + 1).Trim(), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture);
                kept.Add($"{BodyLengthHeader}: {length}");
                continue;
            }

            kept.Add(lines[i]);
        }

        return (string.Join("\r\n", kept) + "\r\n\r\n", length);
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

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
