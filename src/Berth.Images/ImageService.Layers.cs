using Berth.Core.Errors;
using Berth.Core.References;
using Berth.Storage.Content;
using Berth.Storage.Layers;
using Berth.Storage.Snapshots;

namespace Berth.Images;

public sealed partial class ImageService
{
    /// <summary>
    /// Unpacks a layer stream into a new staging snapshot in one pass: the raw bytes are copied to
    /// <paramref name="sink"/> (a blob being written) while hashed, decompressed by magic bytes, and
    /// the tar is hashed (the diff ID) while extracted. The staging snapshot is discarded on failure.
    /// </summary>
    internal async Task<UnpackedLayer> UnpackAsync(Stream raw, Stream? sink, CancellationToken ct)
    {
        var staging = _snapshots.CreateStaging();
        try
        {
            using var rawHash = new HashingReadStream(raw, sink);
            var (decompressed, kind) = await Decompression.OpenAsync(rawHash, ct).ConfigureAwait(false);
            await using (decompressed.ConfigureAwait(false))
            {
                // A compressed layer may not expand past the daemon's caps (a decompression bomb is
                // refused before it fills the disk); an uncompressed one is as big as what was sent.
                var expanded = kind == LayerCompression.None
                    ? decompressed
                    : new ExpansionGuardStream(decompressed, () => rawHash.BytesRead, _options.LayerExpansionLimit);

                // Uncompressed: the diff ID is the digest of the raw bytes, hashed once.
                using var tarHash = kind == LayerCompression.None ? null : new HashingReadStream(expanded);
                var tar = (Stream?)tarHash ?? expanded;
                var size = await LayerApplier.ApplyAsync(tar, staging.FsPath, ct).ConfigureAwait(false);
                var diffId = tarHash is null ? default : await tarHash.DrainAndGetDigestAsync(ct).ConfigureAwait(false);
                if (tarHash is null)
                {
                    var buf = new byte[1 << 16];
                    while (await expanded.ReadAsync(buf, ct).ConfigureAwait(false) > 0)
                    {
                    }
                }

                var rawDigest = await rawHash.DrainAndGetDigestAsync(ct).ConfigureAwait(false);
                return new UnpackedLayer(staging, (kind == LayerCompression.None ? rawDigest : diffId).ToString(), size, kind);
            }
        }
        catch
        {
            _snapshots.Discard(staging);
            throw;
        }
    }

    /// <summary>Unpacks a stored layer blob (when its chain is not unpacked yet).</summary>
    internal async Task<UnpackedLayer> UnpackBlobAsync(Digest blob, CancellationToken ct)
    {
        var f = _content.OpenRead(blob);
        await using (f.ConfigureAwait(false))
        {
            return await UnpackAsync(f, null, ct).ConfigureAwait(false);
        }
    }

    /// <summary>How a stored blob is compressed, from its first bytes.</summary>
    internal LayerCompression CompressionOf(Digest blob)
    {
        using var f = _content.OpenRead(blob);
        Span<byte> head = stackalloc byte[8];
        var n = f.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        return Decompression.Detect(head[..n]);
    }

    /// <summary>
    /// Commits the staging snapshots of a chain (base first). Layers whose chain exists already are
    /// dropped. A layer with no staging snapshot must have its chain present. Call under the mutex.
    /// </summary>
    private void CommitChainLocked(IReadOnlyList<string> diffIds, IReadOnlyList<UnpackedLayer?> staged)
    {
        var chains = ChainIds(diffIds);
        for (var i = 0; i < chains.Count; i++)
        {
            if (_snapshots.Get(chains[i]) is { Kind: SnapshotKind.Committed })
            {
                // Present already (shared with another image): a staged copy is surplus.
                if (staged[i] is { } surplus && _snapshots.Get(surplus.Staging.Key) is { Kind: SnapshotKind.Staging })
                {
                    _snapshots.Discard(surplus.Staging);
                }

                continue;
            }

            if (staged[i] is not { } s)
            {
                throw new BerthException(ErrorKind.Internal, $"layer {chains[i]} is neither unpacked nor present");
            }

            if (s.DiffId != diffIds[i])
            {
                throw BerthException.Invalid($"layer {i} does not match the image config: diff ID {s.DiffId}, expected {diffIds[i]}");
            }

            _snapshots.Commit(s.Staging, chains[i], i == 0 ? null : chains[i - 1], diffIds[i], s.Size);
        }
    }

    /// <summary>
    /// Mark and sweep: blobs reachable from images (config, manifest, layers) or leased, and snapshots
    /// on an image's chain or below a container's writable snapshot, are kept; the rest is deleted.
    /// Returns the chain IDs of removed layer snapshots. Call under the mutex.
    /// </summary>
    private List<string> CollectGarbageLocked()
    {
        var blobs = new HashSet<string>(StringComparer.Ordinal);
        var chains = new HashSet<string>(StringComparer.Ordinal);
        foreach (var img in _store.All())
        {
            blobs.Add(img.Id);
            if (img.ManifestDigest is { } m)
            {
                blobs.Add(m);
            }

            foreach (var l in img.Layers)
            {
                blobs.Add(l.Digest);
            }

            chains.UnionWith(img.ChainIds);
        }

        var all = _snapshots.List();
        var byKey = all.ToDictionary(s => s.Key, StringComparer.Ordinal);
        foreach (var active in all.Where(s => s.Kind == SnapshotKind.Active))
        {
            for (var p = active.Parent; p is not null && chains.Add(p); p = byKey.GetValueOrDefault(p)?.Parent)
            {
            }
        }

        var removed = new List<string>();
        foreach (var s in all.Where(s => s.Kind == SnapshotKind.Committed && !chains.Contains(s.Key)).OrderByDescending(s => s.Id))
        {
            _snapshots.Remove(s.Key);
            removed.Add(s.Key);
        }

        foreach (var d in _content.List().ToList())
        {
            var key = d.ToString();
            if (!blobs.Contains(key) && !_leases.IsProtected(key))
            {
                _content.Delete(d);
            }
        }

        return removed;
    }
}
