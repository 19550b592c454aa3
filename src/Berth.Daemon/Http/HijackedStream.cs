namespace Berth.Daemon.Http;

/// <summary>
/// A hijacked connection as a route uses it: reads give the request body, then the client's
/// stdin until its FIN (from the HijackSession); writes go to the client through Kestrel.
/// </summary>
internal sealed class HijackedStream(HijackSession session, Stream upgraded) : Stream
{
    private readonly Stream _stdin = session.Stdin.Reader.AsStream();
    private int _bodyOffset;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_bodyOffset < session.Body.Length)
        {
            var n = Math.Min(buffer.Length, session.Body.Length - _bodyOffset);
            session.Body.AsMemory(_bodyOffset, n).CopyTo(buffer);
            _bodyOffset += n;
            return ValueTask.FromResult(n);
        }

        return _stdin.ReadAsync(buffer, cancellationToken);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Write(byte[] buffer, int offset, int count) => upgraded.Write(buffer, offset, count);

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) => upgraded.WriteAsync(buffer, cancellationToken);

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => upgraded.WriteAsync(buffer, offset, count, cancellationToken);

    public override void Flush() => upgraded.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => upgraded.FlushAsync(cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _stdin.Dispose();
            upgraded.Dispose();
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await _stdin.DisposeAsync().ConfigureAwait(false);
        await upgraded.DisposeAsync().ConfigureAwait(false);
        await base.DisposeAsync().ConfigureAwait(false);
    }
}
