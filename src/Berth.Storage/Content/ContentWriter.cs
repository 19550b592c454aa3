using System.Security.Cryptography;
using Berth.Core.Errors;
using Berth.Core.References;

namespace Berth.Storage.Content;

/// <summary>
/// A write-only stream into a temporary ingest file that hashes every byte as it is written.
/// <see cref="CommitAsync"/> verifies and publishes it; disposing without commit deletes it.
/// </summary>
public sealed class ContentWriter : Stream
{
    private readonly ContentStore _store;
    private readonly string _tempPath;
    private readonly FileStream _file;
    private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
    private long _length;
    private bool _committed;

    internal ContentWriter(ContentStore store, string tempPath)
    {
        _store = store;
        _tempPath = tempPath;
        _file = new FileStream(tempPath, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0 });
    }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => _length;

    public override long Position { get => _length; set => throw new NotSupportedException(); }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        _hash.AppendData(buffer);
        _file.Write(buffer);
        _length += buffer.Length;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        _hash.AppendData(buffer.Span);
        await _file.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        _length += buffer.Length;
    }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>The digest of what was written so far (without committing).</summary>
    public Digest CurrentDigest() => Digest.FromSha256Hash(_hash.GetCurrentHash());

    /// <summary>
    /// fsyncs, verifies (digest and size when given) and renames the blob into place. On a mismatch the
    /// temporary file is deleted and InvalidArgument is thrown: nothing becomes visible.
    /// </summary>
    public Task<Digest> CommitAsync(Digest? expected, long? expectedSize, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var actual = Digest.FromSha256Hash(_hash.GetHashAndReset());
        if (expected is { } e && e != actual)
        {
            throw BerthException.Invalid($"failed to verify content: expected digest {e}, got {actual}");
        }

        if (expectedSize is { } s && s != _length)
        {
            throw BerthException.Invalid($"failed to verify content {actual}: expected size {s}, got {_length}");
        }

        _file.Flush(flushToDisk: true);
        _file.Dispose();
        _store.Publish(_tempPath, actual);
        _committed = true;
        return Task.FromResult(actual);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _file.Dispose();
            _hash.Dispose();
            if (!_committed)
            {
                File.Delete(_tempPath);
            }
        }

        base.Dispose(disposing);
    }

    public override async ValueTask DisposeAsync()
    {
        await _file.DisposeAsync().ConfigureAwait(false);
        Dispose(true);
        GC.SuppressFinalize(this);
    }
}
