using Berth.Core.Errors;
using Berth.Core.Model;
using Berth.Core.References;
using Berth.Images.Formats;
using Berth.Images.Model;
using Berth.Storage.Layers;
using Berth.Storage.Snapshots;

namespace Berth.Images;

public sealed partial class ImageService
{
    /// <summary>
    /// docker import: the tar is decompressed, stored uncompressed (so its digest is the diff ID) and
    /// unpacked in the same pass; then a one-layer image with the changes applied is committed.
    /// Arguments are checked before the body is read. Returns the new image ID.
    /// </summary>
    public async Task<string> ImportAsync(Stream body, ImportRequest request, CancellationToken cancellationToken)
    {
        var target = request.Repo is { Length: > 0 } repo ? ParseTagTarget(repo, request.Tag) : null;
        var config = ConfigChanges.Apply(new ImageConfig(), request.Changes);
        var (os, arch, variant) = ParsePlatform(request.Platform);
        var lease = _leases.Acquire();
        try
        {
            return await ImportLeasedAsync(body, request, target, config, (os, arch, variant), lease, cancellationToken).ConfigureAwait(false);
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

    private async Task<string> ImportLeasedAsync(Stream body, ImportRequest request, ImageReference? target, ImageConfig config, (string Os, string Arch, string? Variant) platform, LeaseSet.Lease lease, CancellationToken cancellationToken)
    {
        var (os, arch, variant) = platform;
        UnpackedLayer layer;
        Digest blob;
        var writer = _content.BeginWrite();
        await using (writer.ConfigureAwait(false))
        {
            var (tar, _) = await Decompression.OpenAsync(body, cancellationToken).ConfigureAwait(false);
            await using (tar.ConfigureAwait(false))
            {
                layer = await UnpackAsync(tar, writer, cancellationToken).ConfigureAwait(false);
            }

            try
            {
                blob = await writer.CommitAsync(null, null, cancellationToken).ConfigureAwait(false);
                lease.Protect(blob.ToString());
            }
            catch
            {
                _snapshots.Discard(layer.Staging);
                throw;
            }
        }

        var now = _time.GetUtcNow();
        var comment = string.IsNullOrEmpty(request.Message) ? "Imported from " + request.Source : request.Message;
        var parsed = new ParsedConfig
        {
            Config = config,
            Architecture = arch,
            Os = os,
            Variant = variant,
            Created = now,
            Comment = comment,
            DiffIds = [layer.DiffId],
            History = [new ImageHistoryEntry(now, string.Empty, string.Empty, comment, false)],
        };
        var entry = await StoreNewImageAsync(parsed, [new LayerBlob(blob.ToString(), MediaTypes.OciLayer, _content.SizeOf(blob) ?? 0)], [layer], target, lease, cancellationToken).ConfigureAwait(false);
        Publish("import", entry.Id, entry.Id, entry);
        if (target is not null)
        {
            Publish("tag", entry.Id, target.FamiliarString, entry);
        }

        return entry.Id;
    }

    /// <summary>
    /// docker commit: the container's upper directory becomes a new layer on top of its image's
    /// chain (read from the snapshot, so it works even if the image was force-removed).
    /// Returns the new image ID.
    /// </summary>
    public async Task<string> CommitAsync(CommitRequest request, CancellationToken cancellationToken)
    {
        var target = request.Repo is { Length: > 0 } repo ? ParseTagTarget(repo, request.Tag) : null;
        var config = ConfigChanges.Apply(request.Config, request.Changes);
        var active = _snapshots.Get(request.SnapshotKey) is { Kind: SnapshotKind.Active } a ? a : throw BerthException.NotFound($"No such container rootfs: {request.SnapshotKey}");
        var parentImage = request.ParentImageId.Length > 0 ? _store.Get(request.ParentImageId) : null;

        var parentDiffIds = new List<string>();
        for (var key = active.Parent; key is not null;)
        {
            var s = _snapshots.Get(key) ?? throw BerthException.NotFound($"snapshot {key} does not exist");
            parentDiffIds.Insert(0, s.DiffId ?? throw new BerthException(ErrorKind.Internal, $"snapshot {key} has no diff ID"));
            key = s.Parent;
        }

        using var lease = _leases.Acquire();
        Digest blob;
        var writer = _content.BeginWrite();
        await using (writer.ConfigureAwait(false))
        {
            await LayerDiff.WriteAsync(active.FsPath, writer, cancellationToken).ConfigureAwait(false);
            await HoldForCrashTestAsync("layer-written", cancellationToken).ConfigureAwait(false);
            blob = await writer.CommitAsync(null, null, cancellationToken).ConfigureAwait(false);
            lease.Protect(blob.ToString());
        }

        var layer = await UnpackBlobAsync(blob, cancellationToken).ConfigureAwait(false);
        await HoldForCrashTestAsync("layer-unpacked", cancellationToken).ConfigureAwait(false);
        var now = _time.GetUtcNow();
        var baseLayers = parentImage?.Layers ?? [];
        if (baseLayers.Count != parentDiffIds.Count)
        {
            // The image is gone: its layer blobs may be too, so the new image carries what remains.
            baseLayers = parentDiffIds.Select(d => new LayerBlob(d, MediaTypes.OciLayer, _content.SizeOf(Digest.Parse(d)) ?? 0)).ToList();
        }

        var history = (parentImage?.Parsed.History ?? []).ToList();
        history.Add(new ImageHistoryEntry(now, request.CreatedBy, request.Author ?? string.Empty, request.Comment ?? string.Empty, false));
        var parsed = new ParsedConfig
        {
            Config = config,
            Legacy = parentImage?.Parsed.Legacy ?? new LegacyConfigFields(),
            Architecture = parentImage?.Parsed.Architecture is { Length: > 0 } arch ? arch : _options.Architecture,
            Os = parentImage?.Parsed.Os is { Length: > 0 } os ? os : _options.Os,
            Variant = parentImage?.Parsed.Variant,
            Created = now,
            Author = request.Author ?? string.Empty,
            Comment = request.Comment ?? string.Empty,
            Parent = parentImage?.Id ?? string.Empty,
            DiffIds = [.. parentDiffIds, layer.DiffId],
            History = history,
        };
        var staged = new List<UnpackedLayer?>(parentDiffIds.Select(_ => (UnpackedLayer?)null)) { layer };
        var entry = await StoreNewImageAsync(parsed, [.. baseLayers, new LayerBlob(blob.ToString(), MediaTypes.OciLayer, _content.SizeOf(blob) ?? 0)], staged, target, lease, cancellationToken).ConfigureAwait(false);
        if (target is not null)
        {
            Publish("tag", entry.Id, target.FamiliarString, entry);
        }

        return entry.Id;
    }

    /// <summary>See <see cref="ImageServiceOptions.CommitHoldPoint"/>: a no-op unless a crash test set that point.</summary>
    private async Task HoldForCrashTestAsync(string point, CancellationToken cancellationToken)
    {
        if (_options.CommitHoldPoint == point)
        {
            await File.WriteAllTextAsync(_options.CommitHeldMarker, point, cancellationToken).ConfigureAwait(false);
            await Task.Delay(Timeout.Infinite, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<Store.ImageEntry> StoreNewImageAsync(ParsedConfig parsed, IReadOnlyList<LayerBlob> layers, IReadOnlyList<UnpackedLayer?> staged, ImageReference? target, LeaseSet.Lease lease, CancellationToken ct)
    {
        try
        {
            var configBytes = ImageConfigWriter.Write(parsed);
            var configDigest = await _content.WriteAsync(configBytes, ct).ConfigureAwait(false);
            lease.Protect(configDigest.ToString());
            var stored = ImageConfigParser.Parse(configBytes);
            await _mutex.WaitAsync(ct).ConfigureAwait(false);
            try
            {
                CommitChainLocked(stored.DiffIds, staged);
                var sizes = ChainIds(stored.DiffIds).ToDictionary(c => c, c => _snapshots.Get(c)?.Size ?? 0, StringComparer.Ordinal);
                var entry = BuildEntry(configDigest.ToString(), stored, layers, null, _time.GetUtcNow(), configBytes.Length, sizes);
                _store.Add(entry, target is null ? [] : [target.ToString()], _time.GetUtcNow());
                return _store.Get(entry.Id) ?? entry;
            }
            finally
            {
                _mutex.Release();
            }
        }
        finally
        {
            foreach (var s in staged.OfType<UnpackedLayer>())
            {
                if (_snapshots.Get(s.Staging.Key) is { Kind: SnapshotKind.Staging })
                {
                    _snapshots.Discard(s.Staging);
                }
            }
        }
    }

    private (string Os, string Arch, string? Variant) ParsePlatform(string? platform)
    {
        if (string.IsNullOrEmpty(platform))
        {
            return (_options.Os, _options.Architecture, null);
        }

        var parts = platform.ToLowerInvariant().Split('/');
        if (parts.Length > 3 || parts[0] != "linux")
        {
            throw BerthException.Invalid($"\"{platform}\": unsupported platform (only linux images are supported)");
        }

        return ("linux", parts.Length > 1 ? parts[1] : _options.Architecture, parts.Length > 2 ? parts[2] : null);
    }
}
