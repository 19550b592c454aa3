namespace Berth.Daemon.Http;

/// <summary>A duplex view over a non-upgraded request: reads come from the request body, writes go to the response.</summary>
internal sealed class HijackedResponseStream(HttpContext context) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush() => context.Response.Body.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => context.Response.Body.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => context.Request.Body.Read(buffer, offset, count);

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => context.Request.Body.ReadAsync(buffer, cancellationToken);

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => context.Response.Body.Write(buffer, offset, count);

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await context.Response.Body.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        await context.Response.Body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
