using Berth.Api.Streams;
using Berth.Terminal;
using Berth.Client.Http;

namespace Berth.Cli.Streams;

/// <summary>
/// Pumps an upgraded attach/exec connection: stdin to the engine (with client-side detach keys
/// on a terminal, half-close at end of input), and the engine's output to stdout/stderr (raw for
/// a TTY, demultiplexed otherwise). Puts the terminal in raw mode for a TTY session.
/// </summary>
public sealed class HijackedStreams
{
    private readonly CliContext _ctx;

    public HijackedStreams(CliContext ctx)
    {
        _ctx = ctx;
    }

    /// <summary>True when the session ended because the user typed the detach keys.</summary>
    public bool Detached { get; private set; }

    public async Task RunAsync(SocketConnection connection, bool tty, bool sendStdin, byte[] detachKeys, CancellationToken cancellationToken)
    {
        byte[]? savedTerminal = null;
        if (tty && sendStdin && _ctx.StdinIsTerminal)
        {
            savedTerminal = Posix.MakeRaw(0);
        }

        try
        {
            using var outputDone = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Task? inputTask = null;
            if (sendStdin)
            {
                inputTask = Task.Run(() => PumpInputAsync(connection, detachKeys, savedTerminal is not null || (tty && _ctx.StdinIsTerminal), outputDone.Token), CancellationToken.None);
            }

            var outputTask = PumpOutputAsync(connection, tty, outputDone.Token);
            if (inputTask is null)
            {
                await outputTask;
                return;
            }

            var first = await Task.WhenAny(outputTask, inputTask);
            if (first == inputTask && Detached)
            {
                return;
            }

            await outputTask;
        }
        finally
        {
            if (savedTerminal is not null)
            {
                Posix.Restore(0, savedTerminal);
            }
        }
    }

    private async Task PumpOutputAsync(SocketConnection connection, bool tty, CancellationToken cancellationToken)
    {
        _ctx.FlushOut();
        var stdout = _ctx.StdoutStream;
        try
        {
            if (tty)
            {
                var buffer = new byte[32 * 1024];
                while (true)
                {
                    var n = await connection.ReadAsync(buffer, cancellationToken);
                    if (n == 0)
                    {
                        break;
                    }

                    await stdout.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
                    await stdout.FlushAsync(cancellationToken);
                }
            }
            else
            {
                await StdCopy.DemultiplexAsync(connection, new FlushingStream(stdout), new FlushingStream(_ctx.StderrStream), cancellationToken);
            }
        }
        catch (IOException) when (!cancellationToken.IsCancellationRequested)
        {
            // The engine closed the connection: the session is over.
        }
    }

    private async Task PumpInputAsync(SocketConnection connection, byte[] detachKeys, bool watchDetach, CancellationToken cancellationToken)
    {
        var stdin = _ctx.StdinStream;
        var buffer = new byte[32 * 1024];
        var matched = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                int n;
                try
                {
                    n = await stdin.ReadAsync(buffer, cancellationToken);
                }
                catch (IOException)
                {
                    break;
                }

                if (n == 0)
                {
                    break;
                }

                if (!watchDetach || detachKeys.Length == 0)
                {
                    await connection.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
                    continue;
                }

                // Hold back a partial detach sequence until we know whether it completes.
                var output = new List<byte>(n);
                for (var i = 0; i < n; i++)
                {
                    var b = buffer[i];
                    if (b == detachKeys[matched])
                    {
                        matched++;
                        if (matched == detachKeys.Length)
                        {
                            if (output.Count > 0)
                            {
                                await connection.WriteAsync(output.ToArray(), cancellationToken);
                            }

                            Detached = true;
                            connection.Dispose();
                            return;
                        }

                        continue;
                    }

                    if (matched > 0)
                    {
                        output.AddRange(detachKeys.AsSpan(0, matched).ToArray());
                        matched = 0;
                    }

                    output.Add(b);
                }

                if (output.Count > 0)
                {
                    await connection.WriteAsync(output.ToArray(), cancellationToken);
                }
            }

            connection.CloseWrite();
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or OperationCanceledException or System.Net.Sockets.SocketException)
        {
        }
    }

    /// <summary>Flushes after every write so interleaved stdout/stderr keep their order.</summary>
    private sealed class FlushingStream : Stream
    {
        private readonly Stream _inner;

        public FlushingStream(Stream inner)
        {
            _inner = inner;
        }

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Flush() => _inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            _inner.Write(buffer, offset, count);
            _inner.Flush();
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await _inner.WriteAsync(buffer, cancellationToken);
            await _inner.FlushAsync(cancellationToken);
        }
    }

}
