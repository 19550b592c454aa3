using System.Globalization;

namespace Berth.Client.Http;

/// <summary>A response body in HTTP/1.1 chunked transfer encoding.</summary>
public sealed class ChunkedReadStream : Stream
{
    private readonly SocketConnection _inner;
    private long _chunkRemaining;
    private bool _done;

    public ChunkedReadStream(SocketConnection inner)
    {
        _inner = inner;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) =>
        ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (_done || buffer.Length == 0)
        {
            return 0;
        }

        if (_chunkRemaining == 0)
        {
            var line = await _inner.ReadLineAsync(cancellationToken);
            if (line is null)
            {
                _done = true;
                return 0;
            }

            if (line.Length == 0)
            {
                // The CRLF that ends the previous chunk.
                line = await _inner.ReadLineAsync(cancellationToken);
                if (line is null)
                {
                    _done = true;
                    return 0;
                }
            }

            var semi = line.IndexOf(';', StringComparison.Ordinal);
            var sizeText = (semi >= 0 ? line[..semi] : line).Trim();
            if (!long.TryParse(sizeText, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out _chunkRemaining))
            {
                throw new IOException($"malformed chunked encoding: '{line}'");
            }

            if (_chunkRemaining == 0)
            {
                // Trailers end with an empty line.
                while (!string.IsNullOrEmpty(await _inner.ReadLineAsync(cancellationToken)))
                {
                }

                _done = true;
                return 0;
            }
        }

        var n = await _inner.ReadAsync(buffer[..(int)Math.Min(buffer.Length, _chunkRemaining)], cancellationToken);
        if (n == 0)
        {
            _done = true;
            return 0;
        }

        _chunkRemaining -= n;
        return n;
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
