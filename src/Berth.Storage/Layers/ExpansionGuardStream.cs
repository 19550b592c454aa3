using Berth.Core.Errors;

namespace Berth.Storage.Layers;

/// <summary>
/// Reads a decompressed layer and fails with InvalidArgument as soon as it has expanded past an
/// <see cref="ExpansionLimit"/>, comparing with how many compressed bytes were read so far. The
/// check runs on every read, so a bomb is stopped after at most one buffer past the cap.
/// </summary>
public sealed class ExpansionGuardStream(Stream decompressed, Func<long> compressedBytesRead, ExpansionLimit limit) : Stream
{
    public long BytesRead { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer) => Count(decompressed.Read(buffer));

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
        Count(await decompressed.ReadAsync(buffer, cancellationToken).ConfigureAwait(false));

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int Count(int n)
    {
        BytesRead += n;
        if (limit.Check(compressedBytesRead(), BytesRead) is { } error)
        {
            throw BerthException.Invalid(error);
        }

        return n;
    }
}
