using Berth.Core.Errors;
using Berth.Core.References;
using Berth.Platform.Files;

namespace Berth.Storage.Content;

/// <summary>
/// Blobs addressed by digest under &lt;root&gt;/blobs/sha256/&lt;hex&gt;. A blob becomes visible only
/// whole and verified: it is written to &lt;root&gt;/ingest (same file system), hashed while written,
/// fsync'd, checked against the expected digest and size, then renamed into place. Files in ingest
/// are never valid content; <see cref="CleanIngest"/> removes what a crash left there.
/// </summary>
public sealed class ContentStore
{
    private readonly string _blobs;
    private readonly string _ingest;

    public ContentStore(string root)
    {
        Root = root;
        _blobs = Path.Combine(root, "blobs", "sha256");
        _ingest = Path.Combine(root, "ingest");
        StateDirectory.Ensure(root, StateDirectory.Private); // image configs carry their environments
        Directory.CreateDirectory(_blobs);
        Directory.CreateDirectory(_ingest);
    }

    public string Root { get; }

    public string BlobPath(Digest digest) => digest.Algorithm == "sha256"
        ? Path.Combine(_blobs, digest.Hex)
        : throw BerthException.Invalid($"unsupported digest algorithm: {digest.Algorithm}");

    public bool Exists(Digest digest) => File.Exists(BlobPath(digest));

    /// <summary>Size of a stored blob, or null when absent.</summary>
    public long? SizeOf(Digest digest)
    {
        var fi = new FileInfo(BlobPath(digest));
        return fi.Exists ? fi.Length : null;
    }

    /// <summary>Opens a blob for reading; NotFound when absent.</summary>
    public FileStream OpenRead(Digest digest)
    {
        try
        {
            return new FileStream(BlobPath(digest), new FileStreamOptions { Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.Read | FileShare.Delete, BufferSize = 0, Options = FileOptions.SequentialScan });
        }
        catch (FileNotFoundException)
        {
            throw BerthException.NotFound($"content {digest} not found");
        }
    }

    public byte[] ReadAll(Digest digest)
    {
        try
        {
            return File.ReadAllBytes(BlobPath(digest));
        }
        catch (FileNotFoundException)
        {
            throw BerthException.NotFound($"content {digest} not found");
        }
    }

    /// <summary>Starts writing a new blob; commit it or dispose it (which discards it).</summary>
    public ContentWriter BeginWrite() => new(this, Path.Combine(_ingest, $"{Guid.NewGuid():N}.tmp"));

    /// <summary>Writes bytes already in memory (configs, manifests) and returns their digest.</summary>
    public async Task<Digest> WriteAsync(ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await using var w = BeginWrite();
        await w.WriteAsync(data, cancellationToken).ConfigureAwait(false);
        return await w.CommitAsync(null, null, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Copies a stream into the store, verifying it when <paramref name="expected"/> is given.</summary>
    public async Task<Digest> WriteAsync(Stream source, Digest? expected, long? expectedSize, CancellationToken cancellationToken)
    {
        await using var w = BeginWrite();
        await source.CopyToAsync(w, 1 << 20, cancellationToken).ConfigureAwait(false);
        return await w.CommitAsync(expected, expectedSize, cancellationToken).ConfigureAwait(false);
    }

    public void Delete(Digest digest) => File.Delete(BlobPath(digest));

    public IEnumerable<Digest> List()
    {
        foreach (var f in Directory.EnumerateFiles(_blobs))
        {
            var name = Path.GetFileName(f);
            if (Digest.IsHex(name, 64))
            {
                yield return Digest.Sha256OfHex(name);
            }
        }
    }

    /// <summary>Removes unfinished writes left by a crash. Call before any writer starts.</summary>
    public int CleanIngest()
    {
        var n = 0;
        foreach (var f in Directory.EnumerateFileSystemEntries(_ingest))
        {
            File.Delete(f);
            n++;
        }

        return n;
    }

    internal void Publish(string tempPath, Digest digest)
    {
        var target = BlobPath(digest);
        if (File.Exists(target))
        {
            File.Delete(tempPath); // same digest, same bytes: keep the one already there
            return;
        }

        File.Move(tempPath, target, overwrite: true);
        PosixFiles.FsyncDirectory(_blobs);
    }
}
