using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Berth.Daemon.Http;
using Microsoft.AspNetCore.Connections;

namespace Berth.Fuzz.Targets;

/// <summary>
/// The first bytes of a connection to berthd, through HijackConnectionMiddleware as Kestrel runs
/// it. Invariants: the middleware neither throws nor hangs; what it hands on is the head as sent,
/// or, for a hijack, the head with its single body length renamed to X-Hijack-Bytes, which
/// the routes parse, and that length is exactly the body it kept.
/// </summary>
public static class HijackHeadTarget
{
    public static void Run(byte[] data) => RunAsync(data).WaitAsync(TimeSpan.FromSeconds(30)).GetAwaiter().GetResult();

    public static List<byte[]> Seeds() =>
    [
        "POST /v1.50/exec/abc/start HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: 27\r\n\r\n{\"Detach\":false,\"Tty\":false}stdin"u8.ToArray(),
        "POST /v1.50/containers/c/attach?stream=1&stdin=1 HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\nhello"u8.ToArray(),
        "GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n"u8.ToArray(),
        "POST /x HTTP/1.1\r\nupgrade : TCP\r\ncontent-length:3\r\n\r\nabc"u8.ToArray(),
    ];

    private static async Task RunAsync(byte[] data)
    {
        var fromClient = new Pipe();
        var toClient = new Pipe();
        using var closed = new CancellationTokenSource();
        var connection = new DefaultConnectionContext("fuzz", new Duplex(fromClient.Reader, toClient.Writer), new Duplex(toClient.Reader, fromClient.Writer))
        {
            ConnectionClosed = closed.Token,
        };
        await fromClient.Writer.WriteAsync(data);
        await fromClient.Writer.CompleteAsync();

        string? handedOn = null;
        HijackSession? session = null;
        var middleware = HijackConnectionMiddleware.Create(new EdgeLimits())(async c =>
        {
            session = c.Features.Get<HijackSession>();
            var input = c.Transport.Input;
            while (true)
            {
                var result = await input.ReadAsync();
                var text = Encoding.Latin1.GetString(result.Buffer.ToArray());
                var done = text.Contains("\r\n\r\n", StringComparison.Ordinal) || result.IsCompleted;
                input.AdvanceTo(result.Buffer.Start, result.Buffer.End);
                if (done)
                {
                    handedOn = text;
                    return;
                }
            }
        });
        await middleware(connection);

        if (session is null)
        {
            // Passed through: Kestrel sees the bytes exactly as sent.
            if (handedOn is not null && !Encoding.Latin1.GetBytes(handedOn).AsSpan().SequenceEqual(data.AsSpan(0, Math.Min(data.Length, handedOn.Length))))
            {
                throw new InvalidOperationException("a connection that is not a hijack was altered");
            }

            return;
        }

        var head = handedOn ?? throw new InvalidOperationException("a hijack handed nothing on");
        var lines = head[..head.IndexOf("\r\n\r\n", StringComparison.Ordinal)].Split("\r\n");
        foreach (var framing in new[] { "content-length", "transfer-encoding" })
        {
            if (lines.Skip(1).Any(l => l.Contains(':', StringComparison.Ordinal) && l.Split(':')[0].Trim().Equals(framing, StringComparison.OrdinalIgnoreCase)))
            {
                // The body is kept in the session (routes read it from there, never from a
                // header a client could send): Kestrel must see a bodiless upgrade.
                throw new InvalidOperationException($"a hijack handed Kestrel a {framing} header");
            }
        }
    }

    private sealed class Duplex(PipeReader input, PipeWriter output) : IDuplexPipe
    {
        public PipeReader Input { get; } = input;

        public PipeWriter Output { get; } = output;
    }
}
