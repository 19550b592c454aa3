using Microsoft.AspNetCore.Connections;

namespace Berth.Daemon.Http;

/// <summary>
/// The request body as routes read it. Kestrel reports some framing errors of a chunked body
/// (a chunk size that overflows) as a plain IOException, which would become a 500 "bug"; a
/// body the client framed wrongly is the client's mistake: a 400, and the connection is closed
/// because nobody knows where the next request would start. A reset connection stays what it
/// is (the client went away).
/// </summary>
internal sealed class RequestBodyStream(Stream inner) : Stream
{
    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count)
    {
        try
        {
            return inner.Read(buffer, offset, count);
        }
        catch (IOException e) when (IsFramingError(e))
        {
            throw Malformed(e);
        }
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        try
        {
            return await inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e) when (IsFramingError(e))
        {
            throw Malformed(e);
        }
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private static bool IsFramingError(IOException e) => e is not ConnectionResetException && e.InnerException is OverflowException or FormatException;

    private static BadHttpRequestException Malformed(IOException e) => new($"malformed request body: {e.Message}", StatusCodes.Status400BadRequest, e);
}
