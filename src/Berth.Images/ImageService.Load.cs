using System.Formats.Tar;
using Berth.Core.Errors;
using Berth.Core.References;
using Berth.Images.Formats;
using Berth.Images.Model;
using Berth.Images.Store;
using Berth.Storage.Layers;

namespace Berth.Images;

public sealed partial class ImageService
{
    private const int MaxMetadataFile = 16 << 20;

    /// <summary>
    /// Loads a docker-archive (manifest.json; layers as blobs/sha256/... or legacy &lt;id&gt;/layer.tar)
    /// or an OCI image layout (index.json) from an unseekable stream, in one pass: each blob is
    /// stored (verified against its name when it is named by digest) and, when it looks like a
    /// layer, unpacked while it is read. Nothing is visible until the archive has been read whole
    /// and verified; then snapshots, image and tags are committed. Returns Docker's output lines
    /// ("Loaded image: busybox:latest", "Loaded image ID: sha256:...").
    /// </summary>
    public Task<IReadOnlyList<string>> LoadAsync(Stream archive, CancellationToken cancellationToken) =>
        LoadAsync(archive, null, cancellationToken);

    /// <summary>
    /// <see cref="LoadAsync(Stream, CancellationToken)"/>, telling <paramref name="layerProgress"/> of
    /// each layer registered for the first time (dockerd's "Loading layer" lines of a load without
    /// quiet: none for a layer the engine already has), once the archive has been read and before
    /// anything is committed, as dockerd reports them after its untar.
    /// </summary>
    public async Task<IReadOnlyList<string>> LoadAsync(Stream archive, Func<LayerLoadProgress, ValueTask>? layerProgress, CancellationToken cancellationToken)
    {
        var lease = _leases.Acquire();
        try
        {
            return await LoadLeasedAsync(archive, lease, layerProgress, cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            lease.Dispose();
            await CollectAfterFailureAsync().ConfigureAwait(false);
            throw;
        }
        finally
        {
            lease.Dispose();
        }
    }

    /// <summary>After a failed write: drop the blobs it stored that nothing references.</summary>
    private async Task CollectAfterFailureAsync()
    {
        await _mutex.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            CollectGarbageLocked();
        }
        finally
        {
            _mutex.Release();
        }
    }

    private async Task<IReadOnlyList<string>> LoadLeasedAsync(Stream archive, LeaseSet.Lease lease, Func<LayerLoadProgress, ValueTask>? layerProgress, CancellationToken cancellationToken)
    {
        var blobs = new Dictionary<string, ArchiveBlob>(StringComparer.Ordinal);
        var aliases = new Dictionary<string, string>(StringComparer.Ordinal);
        byte[]? manifestJson = null;
        byte[]? indexJson = null;
        var byChain = new Dictionary<string, UnpackedLayer>(StringComparer.Ordinal);
        try
        {
            using var reader = new TarReader(archive, leaveOpen: true);
            while (true)
            {
                TarEntry? entry;
                try
                {
                    entry = await reader.GetNextEntryAsync(copyData: false, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is InvalidDataException or FormatException or EndOfStreamException or OverflowException)
                {
                    throw BerthException.Invalid($"invalid archive: {e.Message}");
                }

                if (entry is null)
                {
                    break;
                }

                var name = ArchivePath(entry.Name);
                switch (entry.EntryType)
                {
                    case TarEntryType.SymbolicLink:
                        aliases[name] = ArchivePath(CombineLink(name, entry.LinkName));
                        continue;
                    case TarEntryType.HardLink:
                        aliases[name] = ArchivePath(entry.LinkName);
                        continue;
                    case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile:
                        break;
                    default:
                        continue;
                }

                var data = entry.DataStream ?? Stream.Null;
                if (name == "manifest.json")
                {
                    manifestJson = await ReadSmallAsync(data, name, cancellationToken).ConfigureAwait(false);
                }
                else if (name == "index.json")
                {
                    indexJson = await ReadSmallAsync(data, name, cancellationToken).ConfigureAwait(false);
                }
                else if (name is "oci-layout" or "repositories" || name.EndsWith("/VERSION", StringComparison.Ordinal) || name.EndsWith("/json", StringComparison.Ordinal))
                {
                    continue; // layout marker and legacy v1 metadata: not needed
                }
                else
                {
                    blobs[name] = await StoreArchiveBlobAsync(name, data, entry.Length, lease, cancellationToken).ConfigureAwait(false);
                }
            }

            ArchiveBlob Blob(string path)
            {
                var p = ArchivePath(path);
                for (var hops = 0; hops < 16 && aliases.TryGetValue(p, out var target); hops++)
                {
                    p = target;
                }

                return blobs.TryGetValue(p, out var b) ? b : throw BerthException.Invalid($"invalid archive: {path} is referenced but not in the archive");
            }

            var images = new List<(ImageEntry Entry, IReadOnlyList<UnpackedLayer?> Staged, IReadOnlyList<string> Refs)>();
            if (manifestJson is not null)
            {
                foreach (var m in ManifestParser.ParseArchiveManifest(manifestJson))
                {
                    var refs = m.RepoTags.Select(t => ImageReference.Parse(t).WithDefaultTag().ToString()).ToList();
                    images.Add(await PrepareLoadedImageAsync(Blob(m.Config), m.Layers.Select(Blob).ToList(), null, refs, byChain, layerProgress, cancellationToken).ConfigureAwait(false));
                }
            }
            else if (indexJson is not null)
            {
                foreach (var (desc, refName) in SelectManifests(ManifestParser.ParseIndex(indexJson), Blob))
                {
                    var manifest = ManifestParser.ParseManifest(_content.ReadAll(Blob(BlobPathOf(desc.Digest)).Digest));
                    var refs = refName is null ? [] : new List<string> { refName };
                    images.Add(await PrepareLoadedImageAsync(Blob(BlobPathOf(manifest.Config.Digest)), manifest.Layers.Select(l => Blob(BlobPathOf(l.Digest))).ToList(), desc.Digest, refs, byChain, layerProgress, cancellationToken).ConfigureAwait(false));
                }
            }
            else
            {
                throw BerthException.Invalid("invalid archive: neither manifest.json nor index.json found (is it an image archive made by docker save?)");
            }

            var lines = new List<string>();
            await _mutex.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                foreach (var (entry, staged, refs) in images)
                {
                    CommitChainLocked(entry.Parsed.DiffIds, staged);
                    var moved = _store.Add(entry, refs, _time.GetUtcNow());
                    foreach (var (name, oldId) in moved)
                    {
                        lines.Add($"The image {ImageReference.Parse(name).FamiliarString} already exists, renaming the old one with ID {oldId} to empty string");
                    }

                    Publish("load", entry.Id, entry.Id, entry);
                    lines.AddRange(refs.Count == 0 ? [$"Loaded image ID: {entry.Id}"] : refs.Select(r => $"Loaded image: {ImageReference.Parse(r).FamiliarString}"));
                }
            }
            finally
            {
                _mutex.Release();
            }

            return lines;
        }
        finally
        {
            // Staging snapshots not committed above (a failure, or layers already present) go now.
            foreach (var u in blobs.Values.Select(b => b.Unpacked).OfType<UnpackedLayer>().Concat(byChain.Values).Distinct())
            {
                if (_snapshots.Get(u.Staging.Key) is { Kind: Storage.Snapshots.SnapshotKind.Staging })
                {
                    _snapshots.Discard(u.Staging);
                }
            }
        }
    }

    private async Task<(ImageEntry, IReadOnlyList<UnpackedLayer?>, IReadOnlyList<string>)> PrepareLoadedImageAsync(ArchiveBlob configBlob, IReadOnlyList<ArchiveBlob> layerBlobs, string? manifestDigest, IReadOnlyList<string> refs, Dictionary<string, UnpackedLayer> byChain, Func<LayerLoadProgress, ValueTask>? layerProgress, CancellationToken ct)
    {
        var configBytes = _content.ReadAll(configBlob.Digest);
        var config = ImageConfigParser.Parse(configBytes);
        if (config.DiffIds.Count != layerBlobs.Count)
        {
            throw BerthException.Invalid($"invalid archive: image config {configBlob.Digest} lists {config.DiffIds.Count} layers, the manifest {layerBlobs.Count}");
        }

        var chains = ChainIds(config.DiffIds);
        var staged = new UnpackedLayer?[layerBlobs.Count];
        var layers = new List<LayerBlob>();
        var sizes = new Dictionary<string, long>(StringComparer.Ordinal);
        for (var i = 0; i < layerBlobs.Count; i++)
        {
            var b = layerBlobs[i];
            if (byChain.TryGetValue(chains[i], out var already))
            {
                staged[i] = already; // another image of this archive has the same chain
                sizes[chains[i]] = already.Size;
            }
            else if (_snapshots.Get(chains[i]) is { Kind: Storage.Snapshots.SnapshotKind.Committed } existing)
            {
                sizes[chains[i]] = existing.Size;
            }
            else
            {
                // Use the copy unpacked while reading when no other chain took it; else unpack from the blob.
                var u = b.Unpacked is { } spec && !byChain.ContainsValue(spec)
                    ? spec
                    : await UnpackBlobAsync(b.Digest, ct).ConfigureAwait(false);
                byChain[chains[i]] = u;
                if (u.DiffId != config.DiffIds[i])
                {
                    throw BerthException.Invalid($"invalid archive: layer {b.Digest} has diff ID {u.DiffId}, but the image config says {config.DiffIds[i]}");
                }

                staged[i] = u;
                sizes[chains[i]] = u.Size;
                if (layerProgress is not null)
                {
                    // dockerd: the layer file's size in the archive; the layer is whole by now.
                    var total = _content.SizeOf(b.Digest) ?? 0;
                    await layerProgress(new LayerLoadProgress(ShortDiffId(config.DiffIds[i]), total, total)).ConfigureAwait(false);
                }
            }

            var compression = b.Unpacked?.Compression ?? CompressionOf(b.Digest);
            layers.Add(new LayerBlob(b.Digest.ToString(), MediaTypes.OciLayerFor(compression), _content.SizeOf(b.Digest) ?? 0));
        }

        var entry = BuildEntry(configBlob.Digest.ToString(), config, layers, manifestDigest, _time.GetUtcNow(), configBytes.Length, sizes);
        return (entry, staged, refs);
    }

    /// <summary>stringid.TruncateID: the hex digits after the algorithm, 12 of them.</summary>
    private static string ShortDiffId(string diffId)
    {
        var hex = diffId[(diffId.IndexOf(':', StringComparison.Ordinal) + 1)..];
        return hex.Length > 12 ? hex[..12] : hex;
    }

    /// <summary>Chooses the image manifests of an OCI index: this platform's entry of a nested index.</summary>
    private List<(Descriptor Manifest, string? Ref)> SelectManifests(IReadOnlyList<Descriptor> index, Func<string, ArchiveBlob> blob)
    {
        var result = new List<(Descriptor, string?)>();
        foreach (var d in index)
        {
            var refName = RefFromAnnotations(d.Annotations);
            if (MediaTypes.IsIndex(d.MediaType))
            {
                var nested = ManifestParser.ParseIndex(_content.ReadAll(blob(BlobPathOf(d.Digest)).Digest));
                var pick = nested.FirstOrDefault(n => MediaTypes.IsManifest(n.MediaType) && (n.Os ?? _options.Os) == _options.Os && (n.Architecture ?? _options.Architecture) == _options.Architecture)
                    ?? throw BerthException.Invalid($"invalid archive: no image for {_options.Os}/{_options.Architecture} in index {d.Digest}");
                result.Add((pick, refName ?? RefFromAnnotations(pick.Annotations)));
            }
            else if (MediaTypes.IsManifest(d.MediaType) || d.MediaType.Length == 0)
            {
                result.Add((d, refName));
            }
        }

        return result;
    }

    private static string? RefFromAnnotations(IReadOnlyDictionary<string, string> annotations)
    {
        if (annotations.TryGetValue("io.containerd.image.name", out var full) && ImageReference.TryParse(full, out var r, out _))
        {
            return r.Digest is null ? r.WithDefaultTag().ToString() : null;
        }

        // org.opencontainers.image.ref.name is usually just a tag; only a full reference names an image.
        if (annotations.TryGetValue("org.opencontainers.image.ref.name", out var refName) && (refName.Contains('/', StringComparison.Ordinal) || refName.Contains(':', StringComparison.Ordinal))
            && ImageReference.TryParse(refName, out var r2, out _) && r2.Digest is null)
        {
            return r2.WithDefaultTag().ToString();
        }

        return null;
    }

    private async Task<ArchiveBlob> StoreArchiveBlobAsync(string name, Stream data, long length, LeaseSet.Lease lease, CancellationToken ct)
    {
        Digest? expected = name.StartsWith("blobs/sha256/", StringComparison.Ordinal) && Digest.IsHex(name["blobs/sha256/".Length..], 64)
            ? Digest.Sha256OfHex(name["blobs/sha256/".Length..])
            : null;
        if (expected is { } known && _content.Exists(known))
        {
            lease.Protect(known.ToString());
            return new ArchiveBlob(known, null); // already stored: the tar reader skips the bytes
        }

        var head = new byte[512];
        var n = await data.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, ct).ConfigureAwait(false);
        var replay = new PrefixedStream(head.AsMemory(0, n), data);
        var writer = _content.BeginWrite();
        await using (writer.ConfigureAwait(false))
        {
            UnpackedLayer? unpacked = null;
            try
            {
                if (LooksLikeLayer(head.AsSpan(0, n), length))
                {
                    unpacked = await UnpackAsync(replay, writer, ct).ConfigureAwait(false);
                }
                else
                {
                    await replay.CopyToAsync(writer, 1 << 20, ct).ConfigureAwait(false);
                }

                var digest = await writer.CommitAsync(expected, length, ct).ConfigureAwait(false);
                lease.Protect(digest.ToString());
                return new ArchiveBlob(digest, unpacked);
            }
            catch (BerthException e) when (unpacked is null && e.Message.StartsWith("failed to verify", StringComparison.Ordinal))
            {
                throw BerthException.Invalid($"invalid archive: {name}: {e.Message}");
            }
            catch
            {
                if (unpacked is not null)
                {
                    _snapshots.Discard(unpacked.Staging);
                }

                throw;
            }
        }
    }

    /// <summary>gzip or zstd magic, or a tar header ("ustar" at 257, or the all-zero end of an empty tar).</summary>
    private static bool LooksLikeLayer(ReadOnlySpan<byte> head, long length)
    {
        if (head.Length == 0 || head[0] is (byte)'{' or (byte)'[')
        {
            return false;
        }

        try
        {
            if (Decompression.Detect(head) != LayerCompression.None)
            {
                return true;
            }
        }
        catch (BerthException)
        {
            return false; // xz/bzip2: stored as is, refused if a manifest uses it as a layer
        }

        return length >= 512 && head.Length >= 512 && (head.Slice(257, 5).SequenceEqual("ustar"u8) || !head.ContainsAnyExcept((byte)0));
    }

    private static async Task<byte[]> ReadSmallAsync(Stream data, string name, CancellationToken ct)
    {
        using var ms = new MemoryStream();
        var buf = new byte[81920];
        int n;
        while ((n = await data.ReadAsync(buf, ct).ConfigureAwait(false)) > 0)
        {
            ms.Write(buf, 0, n);
            if (ms.Length > MaxMetadataFile)
            {
                throw BerthException.Invalid($"invalid archive: {name} is larger than {MaxMetadataFile} bytes");
            }
        }

        return ms.ToArray();
    }

    private static string BlobPathOf(string digest) => "blobs/" + digest.Replace(':', '/');

    /// <summary>Archive-relative path: no "./" or leading "/", ".." applied.</summary>
    private static string ArchivePath(string name) => string.Join('/', LayerApplier.CleanPath(name));

    private static string CombineLink(string name, string link)
    {
        if (link.StartsWith('/'))
        {
            return link;
        }

        var dir = name.Contains('/', StringComparison.Ordinal) ? name[..name.LastIndexOf('/')] : string.Empty;
        return dir.Length == 0 ? link : dir + "/" + link;
    }

    /// <summary>A blob read from an archive; <see cref="Unpacked"/> when it was unpacked on the way.</summary>
    private sealed record ArchiveBlob(Digest Digest, UnpackedLayer? Unpacked);
}
