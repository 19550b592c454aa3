using Berth.Core.Errors;
using Berth.Core.Filters;
using Berth.Core.References;
using Berth.Images.Store;

namespace Berth.Images;

public sealed partial class ImageService
{
    /// <summary>
    /// POST /images/{name}/tag. <paramref name="repo"/> may carry the tag itself; an empty tag means
    /// "latest". Digests and 64-hex names are refused as Docker does.
    /// </summary>
    public async Task TagAsync(string source, string repo, string? tag, CancellationToken cancellationToken)
    {
        var image = Find(source);
        var target = ParseTagTarget(repo, tag);
        await _mutex.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            _store.SetRef(target.ToString(), image.Id, _time.GetUtcNow());
        }
        finally
        {
            _mutex.Release();
        }

        Publish("tag", image.Id, target.FamiliarString, image);
    }

    /// <summary>Validates a tag target ("repo", "repo:tag", or repo plus separate tag).</summary>
    public static ImageReference ParseTagTarget(string repo, string? tag)
    {
        if (string.IsNullOrEmpty(repo))
        {
            throw BerthException.Invalid("repository name must have at least one component");
        }

        if (repo.StartsWith("sha256:", StringComparison.Ordinal) || ImageReference.IsIdentifier(repo))
        {
            throw BerthException.Invalid("refusing to create an ambiguous tag using digest algorithm as name");
        }

        var r = ImageReference.Parse(repo);
        if (r.Digest is not null)
        {
            throw BerthException.Invalid("refusing to create a tag with a digest reference");
        }

        return string.IsNullOrEmpty(tag) ? r.WithDefaultTag() : r.NameOnly().WithTag(tag);
    }

    /// <summary>
    /// DELETE /images/{name}, with Docker's rules: a name untags (and deletes the image when that was
    /// its last reference); an ID deletes, untagging first when it has one repository's tags, and
    /// needs force when tags span repositories. Containers block deletion: running ones always,
    /// stopped ones unless forced.
    /// </summary>
    public async Task<IReadOnlyList<DeleteResponseItem>> RemoveAsync(string name, bool force, bool prune, CancellationToken cancellationToken)
    {
        await _mutex.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return RemoveLocked(name, force, prune);
        }
        finally
        {
            _mutex.Release();
        }
    }

    private List<DeleteResponseItem> RemoveLocked(string name, bool force, bool prune)
    {
        var image = Find(name);
        var records = new List<DeleteResponseItem>();
        var refs = _store.RefsOf(image.Id);
        var usage = _usage();
        if (!IsIdPrefix(image.Id, name))
        {
            var parsed = ImageReference.Parse(name);
            var refName = parsed.Digest is null ? parsed.WithDefaultTag().ToString() : parsed.ToString();
            if (!force && IsSingleRepository(refs) && usage?.ContainersUsing(image.Id) is { Count: > 0 } users)
            {
                throw BerthException.Conflict($"conflict: unable to remove repository reference \"{name}\" (must force) - container {Short(users[0])} is using its referenced image {Short(image.Id)}");
            }

            if (!refs.Contains(refName))
            {
                throw BerthException.NotFound($"No such image: {name}");
            }

            _store.RemoveRef(refName);
            records.Add(DeleteResponseItem.UntaggedRef(ImageReference.Parse(refName).FamiliarString));
            Publish("untag", image.Id, image.Id, image);
            refs = _store.RefsOf(image.Id);

            // The last tag of a repository gone: its digest references go with it.
            if (parsed.Digest is null && !refs.Any(r => ImageReference.Parse(r) is { Digest: null } o && o.Name == parsed.Name))
            {
                foreach (var d in refs.Where(r => ImageReference.Parse(r) is { Digest: not null } o && o.Name == parsed.Name).ToList())
                {
                    _store.RemoveRef(d);
                    records.Add(DeleteResponseItem.UntaggedRef(ImageReference.Parse(d).FamiliarString));
                    Publish("untag", image.Id, image.Id, image);
                }

                refs = _store.RefsOf(image.Id);
            }

            if (refs.Count > 0)
            {
                return records;
            }

            DeleteImageLocked(image, records, force, prune, quiet: true);
            return records;
        }

        if (refs.Count > 0 && !IsSingleRepository(refs))
        {
            if (!force)
            {
                throw BerthException.Conflict($"conflict: unable to delete {Short(image.Id)} (must be forced) - image is referenced in multiple repositories");
            }
        }
        else if (refs.Count > 0)
        {
            var conflict = CheckConflict(image, hard: true, soft: !force, checkRefs: false);
            if (conflict is not null)
            {
                throw BerthException.Conflict(conflict.Value.Message);
            }
        }

        DeleteImageLocked(image, records, force, prune, quiet: false);
        return records;
    }

    /// <summary>Docker's imageDeleteHelper: check conflicts, drop all references, delete, GC the layers.</summary>
    private void DeleteImageLocked(ImageEntry image, List<DeleteResponseItem> records, bool force, bool prune, bool quiet)
    {
        var conflict = CheckConflict(image, hard: true, soft: !force, checkRefs: false);
        if (conflict is { } c)
        {
            // Docker: after untagging, conflicts are ignored unless the image is left dangling and unused.
            if (quiet && (_store.RefsOf(image.Id).Count > 0 || c.Used))
            {
                return;
            }

            throw BerthException.Conflict(c.Message);
        }

        foreach (var r in _store.RefsOf(image.Id))
        {
            _store.RemoveRef(r);
            records.Add(DeleteResponseItem.UntaggedRef(ImageReference.Parse(r).FamiliarString));
            Publish("untag", image.Id, image.Id, image);
        }

        _store.Delete(image.Id);
        Publish("delete", image.Id, image.Id, image);
        records.Add(DeleteResponseItem.DeletedId(image.Id));
        foreach (var chain in CollectGarbageLocked())
        {
            records.Add(DeleteResponseItem.DeletedId(chain));
        }

        if (prune && image.Parsed.Parent.Length > 0 && _store.Get(image.Parsed.Parent) is { } parent && _store.RefsOf(parent.Id).Count == 0)
        {
            try
            {
                DeleteImageLocked(parent, records, force: false, prune: true, quiet: true);
            }
            catch (BerthException e) when (e.Kind == ErrorKind.Conflict)
            {
                // parents are pruned quietly: a conflict just stops the walk
            }
        }
    }

    private (string Message, bool Used)? CheckConflict(ImageEntry image, bool hard, bool soft, bool checkRefs)
    {
        var id = Short(image.Id);
        if (hard && _store.All().Any(e => e.Parsed.Parent == image.Id))
        {
            return ($"conflict: unable to delete {id} (cannot be forced) - image has dependent child images", false);
        }

        var usage = _usage();
        if (hard && usage?.RunningContainerUsing(image.Id) is { } running)
        {
            return ($"conflict: unable to delete {id} (cannot be forced) - image is being used by running container {Short(running)}", true);
        }

        if (soft && checkRefs && _store.RefsOf(image.Id).Count > 0)
        {
            return ($"conflict: unable to delete {id} (must be forced) - image is referenced in one or more repositories", false);
        }

        if (soft && usage?.ContainersUsing(image.Id) is { Count: > 0 } users)
        {
            return ($"conflict: unable to delete {id} (must be forced) - image is being used by stopped container {Short(users[0])}", true);
        }

        return null;
    }

    /// <summary>
    /// POST /images/prune: dangling images (or, with dangling=false, all images) that no container
    /// uses; filters label, label!, until, dangling.
    /// </summary>
    public async Task<PruneResult> PruneAsync(FilterSet filters, CancellationToken cancellationToken)
    {
        var f = filters.Accept("dangling", "label", "label!", "until");
        var danglingOnly = f.GetBool("dangling") ?? true;
        DateTimeOffset? until = f.Has("until") ? f.Get("until").Select(v => TimeFilter.Parse(v, _time.GetUtcNow())!.Value).Min() : null;
        var deleted = new List<DeleteResponseItem>();
        long reclaimed = 0;
        await _mutex.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var sizes = _snapshots.List(Storage.Snapshots.SnapshotKind.Committed).ToDictionary(s => s.Key, s => s.Size, StringComparer.Ordinal);
            var all = _store.All();
            var parents = all.Select(e => e.Parsed.Parent).Where(p => p.Length > 0).ToHashSet(StringComparer.Ordinal);
            foreach (var e in all)
            {
                if (_store.Get(e.Id) is null || (danglingOnly && parents.Contains(e.Id)))
                {
                    continue;
                }

                if (until is { } u && (e.Parsed.Created ?? e.LoadedAt) >= u)
                {
                    continue;
                }

                if (!f.MatchesLabels("label", e.Parsed.Config.Labels) || (f.Has("label!") && NegatedLabelsMatch(f.Get("label!"), e.Parsed.Config.Labels)))
                {
                    continue;
                }

                var refs = _store.RefsOf(e.Id);
                var items = new List<DeleteResponseItem>();
                try
                {
                    if (refs.Count > 0)
                    {
                        var hasTag = refs.Any(r => ImageReference.Parse(r).Digest is null);
                        if (danglingOnly && hasTag)
                        {
                            continue;
                        }

                        foreach (var r in refs)
                        {
                            if (_store.Get(e.Id) is not null)
                            {
                                items.AddRange(RemoveLocked(r, force: false, prune: true));
                            }
                        }
                    }
                    else
                    {
                        items.AddRange(RemoveLocked(e.Id, force: false, prune: true));
                    }
                }
                catch (BerthException ex) when (ex.Kind is ErrorKind.Conflict or ErrorKind.NotFound)
                {
                    // in use: not pruned (Docker skips conflicts silently)
                }

                deleted.AddRange(items);
            }

            foreach (var d in deleted)
            {
                if (d.Deleted is { } chain && sizes.TryGetValue(chain, out var size))
                {
                    reclaimed += size;
                }
            }
        }
        finally
        {
            _mutex.Release();
        }

        _events.Publish("image", "prune", string.Empty, new Dictionary<string, string> { ["reclaimed"] = reclaimed.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        return new PruneResult(deleted, reclaimed);
    }

    private static bool NegatedLabelsMatch(IReadOnlyList<string> negated, IReadOnlyDictionary<string, string> labels) =>
        negated.Any(w =>
        {
            var eq = w.IndexOf('=', StringComparison.Ordinal);
            return eq < 0 ? labels.ContainsKey(w) : labels.TryGetValue(w[..eq], out var v) && v == w[(eq + 1)..];
        });

    /// <summary>True when all references belong to one repository and at most one is a tag.</summary>
    private static bool IsSingleRepository(IReadOnlyList<string> refs)
    {
        if (refs.Count == 0)
        {
            return true;
        }

        var parsed = refs.Select(ImageReference.Parse).ToList();
        return parsed.Select(p => p.Name).Distinct(StringComparer.Ordinal).Count() == 1 && parsed.Count(p => p.Digest is null) <= 1;
    }

    /// <summary>True when <paramref name="name"/> designates the image by (a prefix of) its ID.</summary>
    private static bool IsIdPrefix(string id, string name)
    {
        var hex = name.StartsWith("sha256:", StringComparison.Ordinal) ? name[7..] : name;
        // id is empty when nothing was found under the name (save of an unknown image).
        return hex.Length > 0 && id.Length > 7 && id.AsSpan(7).StartsWith(hex, StringComparison.Ordinal) && (name.StartsWith("sha256:", StringComparison.Ordinal) || IsHexPrefix(name));
    }

    internal static string Short(string id) => (id.StartsWith("sha256:", StringComparison.Ordinal) ? id[7..] : id) is var h && h.Length > 12 ? h[..12] : id;
}
