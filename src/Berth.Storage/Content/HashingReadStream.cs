using System.Security.Cryptography;
using Berth.Core.References;

namespace Berth.Storage.Content;

/// <summary>
/// A read-only pass-through that hashes (sha256) and counts what is read, and optionally copies it to
/// a sink (e.g. a <see cref="ContentWriter"/>), so one pass over a network or archive stream both
/// stores and unpacks a layer.
/// </summary>
public sealed class HashingReadStream : Stream
{
    private readonly Stream _inner;
    private readonly Stream? _sink;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private readonly bool _leaveOpen;

    public HashingReadStream(Stream inner, Stream? sink = null, bool leaveOpen = true)
    {
        _inner = inner;
        _sink = sink;
        _leaveOpen = leaveOpen;
    }

    public long BytesRead { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

    /// <summary>Reads the rest of the inner stream (so the digest covers all of it) and returns the digest.</summary>
    public async Task<Digest> DrainAndGetDigestAsync(CancellationToken cancellationToken)
    {
        var buf = System.Buffers.ArrayPool<byte>.Shared.Rent(1 << 16);
        try
        {
            while (await ReadAsync(buf, cancellationToken).ConfigureAwait(false) > 0)
            {
            }
        }
        finally
        {
            System.Buffers.ArrayPool<byte>.Shared.Return(buf);
        }

        return Digest.FromSha256Hash(_hash.GetCurrentHash());
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var n = _inner.Read(buffer);
        Observe(buffer[..n]);
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await _inner.ReadAsync(buffer, cancellationToken).ConfigureAwait(false);
        if (n > 0)
        {
            _hash.AppendData(buffer.Span[..n]);
            BytesRead += n;
            if (_sink is not null)
            {
                await _sink.WriteAsync(buffer[..n], cancellationToken).ConfigureAwait(false);
            }
        }

        return n;
    }

    private void Observe(ReadOnlySpan<byte> data)
    {
        if (data.IsEmpty)
        {
            return;
        }

        _hash.AppendData(data);
        BytesRead += data.Length;
        _sink?.Write(data);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _hash.Dispose();
            if (!_leaveOpen)
            {
                _inner.Dispose();
            }
        }

        base.Dispose(disposing);
    }
}
