namespace Berth.Containers.Archive;

/// <summary>
/// Reads exactly <c>length</c> bytes of an inner stream: cut short when the file grew since it was
/// measured, padded with zeros when it shrank. A tar entry's header carries the size first, so
/// the data written after it must match whatever a running container does to the file meanwhile.
/// </summary>
internal sealed class FixedLengthStream(Stream inner, long length) : Stream
{
    private long _position;
    private bool _innerEnded;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var want = (int)Math.Min(buffer.Length, length - _position);
        if (want <= 0)
        {
            return 0;
        }

        var n = _innerEnded ? 0 : inner.Read(buffer[..want]);
        if (n == 0)
        {
            _innerEnded = true;
            buffer[..want].Clear();
            n = want;
        }

        _position += n;
        return n;
    }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var want = (int)Math.Min(buffer.Length, length - _position);
        if (want <= 0)
        {
            return 0;
        }

        var n = _innerEnded ? 0 : await inner.ReadAsync(buffer[..want], cancellationToken).ConfigureAwait(false);
        if (n == 0)
        {
            _innerEnded = true;
            buffer.Span[..want].Clear();
            n = want;
        }

        _position += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    /// <summary>Only "where we are" is a valid target: the tar writer asks for the position, never moves it.</summary>
    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => length + offset,
        };
        return target == _position ? _position : throw new NotSupportedException("FixedLengthStream reads forward only");
    }

    public override void Flush()
    {
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
