using System.Buffers;
using System.Globalization;
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
/// middleware looks at the first request head of each connection (see <see cref="RequestHead"/>,
/// which also refuses what can never be HTTP). Other connections are only peeked at and pass
/// through untouched. For a hijack (<c>Upgrade: tcp</c>) it:
/// <list type="bullet">
/// <item>takes the head and body off the socket, and gives Kestrel the head alone, without
/// Content-Length (so Kestrel upgrades); the body goes to the route in the <see cref="HijackSession"/>,
/// never through a header a client could send itself;</item>
/// <item>sends every later byte (the client's stdin) to a <see cref="HijackSession"/> pipe
/// instead of Kestrel, which completes that pipe at the client's FIN (stdin EOF for the
/// container) while Kestrel never sees an end of input;</item>
/// <item>hands Kestrel a connection whose ConnectionClosed fires only when the session is done,
/// and whose writer turns Kestrel's <c>101 Switching Protocols</c> into dockerd's <c>101 UPGRADED</c>
/// (<see cref="UpgradedHeadWriter"/>).</item>
/// </list>
/// <see cref="Hijack.AcceptAsync"/> then joins the two halves: reads are the body, then stdin;
/// writes go through Kestrel's upgraded stream.
/// </summary>
public static class HijackConnectionMiddleware
{
    public static Func<ConnectionDelegate, ConnectionDelegate> Create(EdgeLimits limits) => next => async connection =>
    {
        var input = connection.Transport.Input;
        RequestHead? head = null;
        string? error = null;

        // A client that sends part of a head and stops would otherwise hold this connection
        // forever: Kestrel's own header timeout only starts once it is handed the connection.
        using var headTimeout = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        headTimeout.CancelAfter(limits.RequestHeadersTimeout);
        try
        {
            while (true)
            {
                var result = await input.ReadAsync(headTimeout.Token).ConfigureAwait(false);
                var buffer = result.Buffer;
                var verdict = buffer.IsEmpty
                    ? RequestHead.Verdict.NeedMore
                    : RequestHead.Inspect(buffer, limits.MaxRequestLineSize, limits.MaxRequestHeadersTotalSize, out head, out error);
                switch (verdict)
                {
                    case RequestHead.Verdict.Malformed:
                        input.AdvanceTo(buffer.End);
                        await RefuseAsync(connection, 400, "Bad Request", error!).ConfigureAwait(false);
                        return;
                    case RequestHead.Verdict.RequestLineTooLong:
                        input.AdvanceTo(buffer.End);
                        await RefuseAsync(connection, 414, "URI Too Long", $"request line longer than {limits.MaxRequestLineSize} bytes").ConfigureAwait(false);
                        return;
                    case RequestHead.Verdict.NeedMore when !result.IsCompleted:
                        input.AdvanceTo(buffer.Start, buffer.End);
                        continue;
                }

                // Complete, too large (Kestrel answers 431), or the client closed early: Kestrel
                // gets the bytes as they are.
                input.AdvanceTo(buffer.Start, buffer.Start);
                break;
            }
        }
        catch (OperationCanceledException) when (!connection.ConnectionClosed.IsCancellationRequested)
        {
            connection.Abort(new ConnectionAbortedException("request head not received in time"));
            return;
        }

        if (head is not { IsHijack: true })
        {
            await next(connection).ConfigureAwait(false);
            return;
        }

        await RunHijackAsync(next, connection, head, limits).ConfigureAwait(false);
    };

    /// <summary>Answers a request Kestrel never sees, in Docker's error shape, and closes the connection.</summary>
    private static async Task RefuseAsync(ConnectionContext connection, int status, string reason, string message)
    {
        var body = ErrorWriter.Body(message);
        var response = Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n"));
        try
        {
            await connection.Transport.Output.WriteAsync(response).ConfigureAwait(false);
            await connection.Transport.Output.WriteAsync(body).ConfigureAwait(false);
            await connection.Transport.Output.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is IOException or ConnectionResetException or InvalidOperationException)
        {
            // The client is gone already.
        }
    }

    private static async Task RunHijackAsync(ConnectionDelegate next, ConnectionContext connection, RequestHead head, EdgeLimits limits)
    {
        if (head.Chunked)
        {
            await RefuseAsync(connection, 400, "Bad Request", "a hijacked request must give its body's length (Content-Length), not chunks").ConfigureAwait(false);
            return;
        }

        var bodyLength = head.ContentLength ?? 0;
        if (bodyLength > limits.MaxHijackBody)
        {
            await RefuseAsync(connection, 413, "Payload Too Large", $"request body too large: an attach or exec start body may have at most {limits.MaxHijackBody} bytes").ConfigureAwait(false);
            return;
        }

        // Take head and body off the socket.
        var input = connection.Transport.Input;
        var need = head.Text.Length + bodyLength;
        byte[] body;
        while (true)
        {
            var result = await input.ReadAsync(connection.ConnectionClosed).ConfigureAwait(false);
            if (result.Buffer.Length >= need)
            {
                body = result.Buffer.Slice(head.Text.Length, bodyLength).ToArray();
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
        await toKestrel.Writer.WriteAsync(Encoding.Latin1.GetBytes(head.WithoutBodyFraming())).ConfigureAwait(false);
        connection.Features.Set(session);

        using var done = new CancellationTokenSource();
        var pump = PumpStdinAsync(input, session.Stdin.Writer, done.Token);
        var wrapped = new HijackConnectionContext(connection, new DuplexPipe(toKestrel.Reader, new UpgradedHeadWriter(connection.Transport.Output)), done.Token);
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

    private sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
