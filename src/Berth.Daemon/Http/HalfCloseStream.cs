namespace Berth.Daemon.Http;

/// <summary>
/// The upgraded stream of a hijack connection, reading end-of-input once the client half-closed
/// and every byte it sent before has been read (the relay delivers them before it signals).
/// </summary>
internal sealed class HalfCloseStream(Stream inner, HalfClose halfClose) : Stream
{
    private static readonly TimeSpan Drain = TimeSpan.FromMilliseconds(100);
    private bool _eof;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_eof)
        {
            return 0;
        }

        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var read = inner.ReadAsync(buffer, cts.Token).AsTask();
        if (!halfClose.Closed.IsCompleted)
        {
            await Task.WhenAny(read, halfClose.Closed).ConfigureAwait(false);
        }

        if (!read.IsCompleted)
        {
            // Half-closed: what was sent before the FIN is already relayed, so a read that has
            // data completes at once; one that is still waiting has reached the end.
            await Task.WhenAny(read, Task.Delay(Drain, CancellationToken.None)).ConfigureAwait(false);
        }

        if (!read.IsCompleted)
        {
            await cts.CancelAsync().ConfigureAwait(false);
        }

        try
        {
            var n = await read.ConfigureAwait(false);
            _eof = n == 0;
            return n;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            _eof = true;
            return 0;
        }
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => inner.Write(buffer, offset, count);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => inner.WriteAsync(buffer, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    public override ValueTask DisposeAsync() => inner.DisposeAsync();
}
