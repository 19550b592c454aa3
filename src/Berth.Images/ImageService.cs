using Berth.Core.Errors;
using Berth.Core.Events;
using Berth.Core.Model;
using Berth.Core.References;
using Berth.Images.Formats;
using Berth.Images.Model;
using Berth.Images.Store;
using Berth.Storage.Content;
using Berth.Storage.Metadata;
using Berth.Storage.Snapshots;

namespace Berth.Images;

/// <summary>
/// The image subsystem's entry point. ResolveAsync, PrepareRootfsAsync, GetRootfs, RemoveRootfsAsync
/// and GetRootfsSize are the contract the container service relies on; list, inspect, history, tag,
/// rmi, load, save, import, commit and prune live in the other parts of this class.
/// Writers take <see cref="_mutex"/> for their final metadata step (and GC takes it for its sweep);
/// long transfers run outside it, their new blobs protected by <see cref="_leases"/>.
/// </summary>
public sealed partial class ImageService : IDisposable
{
    private readonly ImageServiceOptions _options;
    private readonly ContentStore _content;
    private readonly Snapshotter _snapshots;
    private readonly ImageStore _store;
    private readonly EventBus _events;
    private readonly TimeProvider _time;
    private readonly Func<IImageUsage?> _usage;
    private readonly SemaphoreSlim _mutex = new(1, 1);
    private readonly LeaseSet _leases = new();

    public ImageService(ImageServiceOptions options, EngineDatabase db, EventBus events, TimeProvider time, Func<IImageUsage?> usage)
    {
        _options = options;
        _events = events;
        _time = time;
        _usage = usage;
        _content = new ContentStore(options.ContentRoot);
        _snapshots = new Snapshotter(db, options.SnapshotsRoot, time);
        _store = new ImageStore(db);
    }

    public ContentStore Content => _content;

    public Snapshotter Snapshots => _snapshots;

    /// <summary>
    /// Start-up recovery, before any request: drops unfinished blob writes and staging snapshots a
    /// crash left, loads image metadata, then collects unreferenced blobs and snapshots.
    /// </summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        _content.CleanIngest();
        _snapshots.Recover();
        var sizes = _snapshots.List(SnapshotKind.Committed).ToDictionary(s => s.Key, s => s.Size, StringComparer.Ordinal);
        var entries = new List<ImageEntry>();
        foreach (var row in _store.ReadRows())
        {
            cancellationToken.ThrowIfCancellationRequested();
            var id = Digest.Parse(row.Id);
            if (!_content.Exists(id))
            {
                continue; // its config is gone: the row is unusable and GC drops it below
            }

            var config = ImageConfigParser.Parse(_content.ReadAll(id));
            var entry = BuildEntry(row.Id, config, row.Layers, row.ManifestDigest, row.LoadedAt, _content.SizeOf(id) ?? 0, sizes) with { LastTagTime = row.LastTagTime };
            if (entry.ChainIds.All(sizes.ContainsKey))
            {
                entries.Add(entry);
            }
        }

        foreach (var row in _store.ReadRows().Where(r => entries.All(e => e.Id != r.Id)))
        {
            _store.Delete(row.Id);
        }

        _store.Initialize(entries);

        // A name that no longer parses (a trailing newline once passed the name pattern) would make
        // every listing that reads it fail: it names nothing a client can ask for, so it goes.
        foreach (var name in _store.AllRefs().Keys.Where(n => !ImageReference.TryParse(n, out _, out _)).ToList())
        {
            _store.RemoveRef(name);
        }

        await _mutex.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            CollectGarbageLocked();
        }
        finally
        {
            _mutex.Release();
        }
    }

    /// <summary>
    /// Finds an image by reference ("busybox", "busybox:latest", "docker.io/library/busybox"), by
    /// full or short ID (with or without "sha256:"), or by digest reference.
    /// Throws BerthException(NotFound, "No such image: {nameOrId}") when absent.
    /// </summary>
    public Task<ImageRecord> ResolveAsync(string nameOrId, CancellationToken cancellationToken)
        => Task.FromResult(ToRecord(Find(nameOrId)));

    /// <summary>
    /// Creates the writable snapshot <paramref name="key"/> (a container ID) on top of the image's
    /// layer chain and returns how to mount it. Idempotent for an existing key.
    /// </summary>
    public Task<RootfsMount> PrepareRootfsAsync(string key, ImageRecord image, CancellationToken cancellationToken)
    {
        var s = _snapshots.PrepareActive(key, image.ChainId);
        return Task.FromResult(MountOf(s));
    }

    /// <summary>The mount of an existing writable snapshot, or null when it does not exist.</summary>
    public RootfsMount? GetRootfs(string key) =>
        _snapshots.Get(key) is { Kind: SnapshotKind.Active } s ? MountOf(s) : null;

    /// <summary>Removes a writable snapshot and its directories; no error when absent.</summary>
    public Task RemoveRootfsAsync(string key, CancellationToken cancellationToken)
    {
        if (_snapshots.Get(key) is { Kind: SnapshotKind.Active })
        {
            _snapshots.Remove(key);
        }

        return Task.CompletedTask;
    }

    /// <summary>Bytes used by the writable layer (for ps -s / SizeRw).</summary>
    public long GetRootfsSize(string key) =>
        _snapshots.Get(key) is { Kind: SnapshotKind.Active } s ? Snapshotter.DiskUsage(s.FsPath) : 0;

    public void Dispose() => _mutex.Dispose();

    private RootfsMount MountOf(Snapshot s) =>
        new(s.Parent is null ? [] : _snapshots.LowerDirs(s.Parent), s.FsPath, s.WorkPath);

    /// <summary>Finds an image entry or throws Docker's "No such image".</summary>
    internal ImageEntry Find(string nameOrId) =>
        TryFind(nameOrId) ?? throw BerthException.NotFound($"No such image: {nameOrId}");

    internal ImageEntry? TryFind(string nameOrId)
    {
        if (string.IsNullOrEmpty(nameOrId))
        {
            return null;
        }

        var s = nameOrId;
        if (s.StartsWith("sha256:", StringComparison.Ordinal))
        {
            var hex = s[7..];
            if (Digest.IsHex(hex, 64))
            {
                return _store.Get(s);
            }

            return IsHexPrefix(hex) ? ByPrefix(hex) : null;
        }

        if (Digest.IsHex(s, 64))
        {
            return _store.Get("sha256:" + s);
        }

        if (ImageReference.TryParse(s, out var reference, out _))
        {
            var name = reference.Digest is not null ? reference.NameOnly().WithDigest(reference.Digest.Value).ToString() : reference.WithDefaultTag().ToString();
            if (_store.Lookup(name) is { } id && _store.Get(id) is { } byRef)
            {
                return byRef;
            }
        }

        return IsHexPrefix(s) ? ByPrefix(s) : null;
    }

    private ImageEntry? ByPrefix(string hex)
    {
        var ids = _store.IdsWithPrefix(hex);
        return ids.Count == 1 ? _store.Get(ids[0]) : null;
    }

    private static bool IsHexPrefix(string s) => s.Length is > 0 and <= 64 && s.All(c => char.IsAsciiDigit(c) || c is >= 'a' and <= 'f');

    /// <summary>The public record of an entry with its current names.</summary>
    internal ImageRecord ToRecord(ImageEntry e)
    {
        var refs = _store.RefsOf(e.Id);
        var tags = new List<string>();
        var digests = new List<string>();
        foreach (var r in refs)
        {
            var parsed = ImageReference.Parse(r);
            (parsed.Digest is null ? tags : digests).Add(parsed.FamiliarString);
        }

        tags.Sort(StringComparer.Ordinal);
        digests.Sort(StringComparer.Ordinal);
        var p = e.Parsed;
        return new ImageRecord
        {
            Id = e.Id,
            RepoTags = tags,
            RepoDigests = digests,
            Parent = p.Parent,
            Comment = p.Comment,
            Author = p.Author,
            Created = p.Created ?? DateTimeOffset.UnixEpoch,
            Config = p.Config,
            Architecture = p.Architecture,
            Os = p.Os,
            Variant = p.Variant,
            DockerVersion = p.DockerVersion,
            DiffIds = p.DiffIds,
            ChainId = e.TopChainId,
            Size = e.Size,
        };
    }

    private static ImageEntry BuildEntry(string id, ParsedConfig config, IReadOnlyList<LayerBlob> layers, string? manifest, DateTimeOffset loadedAt, long configSize, IReadOnlyDictionary<string, long> snapshotSizes)
    {
        var chains = ChainIds(config.DiffIds);
        return new ImageEntry
        {
            Id = id,
            Parsed = config,
            Layers = layers,
            ChainIds = chains,
            ManifestDigest = manifest,
            LoadedAt = loadedAt,
            ConfigSize = configSize,
            Size = chains.Sum(c => snapshotSizes.GetValueOrDefault(c)),
        };
    }

    /// <summary>OCI chain IDs: ChainID(L0) = DiffID(L0); ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln)).</summary>
    public static IReadOnlyList<string> ChainIds(IReadOnlyList<string> diffIds)
    {
        var chains = new List<string>(diffIds.Count);
        string? prev = null;
        foreach (var d in diffIds)
        {
            prev = prev is null ? d : Digest.Compute(System.Text.Encoding.ASCII.GetBytes(prev + " " + d)).ToString();
            chains.Add(prev);
        }

        return chains;
    }

    private void Publish(string action, string id, string name, ImageEntry? entry)
    {
        var attrs = new Dictionary<string, string>(StringComparer.Ordinal);
        if (entry is not null)
        {
            foreach (var (k, v) in entry.Parsed.Config.Labels)
            {
                attrs[k] = v;
            }
        }

        attrs["name"] = name;
        _events.Publish("image", action, id, attrs);
    }
}
