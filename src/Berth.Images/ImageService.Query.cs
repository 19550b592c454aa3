using System.Text.RegularExpressions;
using Berth.Core.Errors;
using Berth.Core.Filters;
using Berth.Core.References;
using Berth.Images.Store;
using Berth.Storage.Snapshots;

namespace Berth.Images;

public sealed partial class ImageService
{
    /// <summary>
    /// Images as GET /images/json lists them. Filters: dangling, label, before, since, until,
    /// reference (glob on the familiar name, with or without tag; only matching tags are shown).
    /// Without <c>All</c>, untagged images that are the parent of another image are hidden.
    /// </summary>
    public IReadOnlyList<ImageView> List(ImageListOptions options)
    {
        var f = options.Filters.Accept("dangling", "label", "before", "since", "until", "reference");
        var dangling = f.GetBool("dangling");
        DateTimeOffset? before = f.Has("before") ? f.Get("before").Min(v => Find(v).Parsed.Created ?? DateTimeOffset.UnixEpoch) : null;
        DateTimeOffset? since = f.Has("since") ? f.Get("since").Max(v => Find(v).Parsed.Created ?? DateTimeOffset.UnixEpoch) : null;
        DateTimeOffset? until = f.Has("until") ? f.Get("until").Select(v => TimeFilter.Parse(v, _time.GetUtcNow())!.Value).Min() : null;
        var patterns = f.Get("reference").Select(GlobRegex).ToList();

        var entries = _store.All();
        var parents = entries.Select(e => e.Parsed.Parent).Where(p => p.Length > 0).ToHashSet(StringComparer.Ordinal);
        var usage = options.ContainerCounts ? _usage() : null;
        var shared = options.SharedSize ? LayerUseCounts(entries) : null;
        var result = new List<ImageView>();
        foreach (var e in entries.OrderByDescending(e => e.Parsed.Created ?? e.LoadedAt).ThenBy(e => e.Id, StringComparer.Ordinal))
        {
            var record = ToRecord(e);
            var isDangling = record.RepoTags.Count == 0 && record.RepoDigests.Count == 0;
            if (dangling is { } d && d != isDangling)
            {
                continue;
            }

            if (!options.All && isDangling && parents.Contains(e.Id) && dangling is null)
            {
                continue;
            }

            var created = e.Parsed.Created ?? DateTimeOffset.UnixEpoch;
            if ((before is { } b && created >= b) || (since is { } s && created <= s) || (until is { } u && created >= u))
            {
                continue;
            }

            if (!f.MatchesLabels("label", e.Parsed.Config.Labels))
            {
                continue;
            }

            if (patterns.Count > 0)
            {
                var tags = record.RepoTags.Where(t => patterns.Any(p => MatchesReference(p, t))).ToList();
                var digests = record.RepoDigests.Where(t => patterns.Any(p => MatchesReference(p, t))).ToList();
                if (tags.Count == 0 && digests.Count == 0)
                {
                    continue;
                }

                record = record with { RepoTags = tags, RepoDigests = digests };
            }

            result.Add(new ImageView(record, e)
            {
                SharedSize = shared is null ? -1 : e.ChainIds.Where(c => shared[c] > 1).Sum(SnapshotSize),
                Containers = options.ContainerCounts ? usage?.ContainersUsing(e.Id).Count ?? 0 : -1,
            });
        }

        return result;
    }

    /// <summary>An image for inspect, with overlay2-style GraphDriver paths.</summary>
    public ImageView Inspect(string nameOrId)
    {
        var e = Find(nameOrId);
        var data = new Dictionary<string, string>(StringComparer.Ordinal);
        if (e.ChainIds.Count > 0)
        {
            var dirs = _snapshots.LowerDirs(e.TopChainId);
            var top = Path.GetDirectoryName(dirs[0])!;
            if (dirs.Count > 1)
            {
                data["LowerDir"] = string.Join(':', dirs.Skip(1));
            }

            data["MergedDir"] = Path.Combine(top, "merged");
            data["UpperDir"] = dirs[0];
            data["WorkDir"] = Path.Combine(top, "work");
        }

        return new ImageView(ToRecord(e), e) { GraphDriverData = data };
    }

    /// <summary>docker history: one row per config history entry, newest first; IDs follow the parent chain.</summary>
    public IReadOnlyList<HistoryItem> History(string nameOrId)
    {
        var e = Find(nameOrId);
        var rows = new List<(DateTimeOffset? Created, string CreatedBy, long Size, string Comment)>();
        var layer = 0;
        foreach (var h in e.Parsed.History)
        {
            long size = 0;
            if (!h.EmptyLayer && layer < e.ChainIds.Count)
            {
                size = SnapshotSize(e.ChainIds[layer]);
                layer++;
            }

            rows.Add((h.Created, h.CreatedBy, size, h.Comment));
        }

        rows.Reverse();
        var items = new List<HistoryItem>();
        ImageEntry? current = e;
        foreach (var r in rows)
        {
            if (current is not null)
            {
                var tags = ToRecord(current).RepoTags;
                items.Add(new HistoryItem(current.Id, r.Created, r.CreatedBy, tags.Count == 0 ? null : tags, r.Size, r.Comment));
                current = current.Parsed.Parent.Length > 0 ? _store.Get(current.Parsed.Parent) : null;
            }
            else
            {
                items.Add(new HistoryItem("<missing>", r.Created, r.CreatedBy, null, r.Size, r.Comment));
            }
        }

        return items;
    }

    /// <summary>What `system df` needs: every image with its size, shared size and container count.</summary>
    public IReadOnlyList<ImageView> DiskUsage() =>
        List(new ImageListOptions { All = true, SharedSize = true, ContainerCounts = true });

    /// <summary>How many images use each layer chain.</summary>
    private static Dictionary<string, int> LayerUseCounts(IReadOnlyList<ImageEntry> entries)
    {
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var c in entries.SelectMany(e => e.ChainIds))
        {
            counts[c] = counts.GetValueOrDefault(c) + 1;
        }

        return counts;
    }

    private long SnapshotSize(string chainId) => _snapshots.Get(chainId) is { Kind: SnapshotKind.Committed } s ? s.Size : 0;

    /// <summary>Go's path.Match on the familiar reference: with tag, or on the name alone.</summary>
    private static bool MatchesReference(Regex pattern, string familiar)
    {
        if (pattern.IsMatch(familiar))
        {
            return true;
        }

        var at = familiar.IndexOf('@', StringComparison.Ordinal);
        var name = at >= 0 ? familiar[..at] : familiar;
        var colon = name.LastIndexOf(':');
        if (colon > name.LastIndexOf('/'))
        {
            name = name[..colon];
        }

        return pattern.IsMatch(name);
    }

    private static Regex GlobRegex(string glob)
    {
        var sb = new System.Text.StringBuilder("^");
        for (var i = 0; i < glob.Length; i++)
        {
            var c = glob[i];
            switch (c)
            {
                case '*':
                    sb.Append("[^/]*");
                    break;
                case '?':
                    sb.Append("[^/]");
                    break;
                case '[':
                    var end = glob.IndexOf(']', i + 1);
                    if (end < 0)
                    {
                        throw BerthException.Invalid($"invalid reference filter: {glob}: syntax error in pattern");
                    }

                    var cls = glob[(i + 1)..end];
                    sb.Append('[').Append(cls.StartsWith('^') ? "^" + Regex.Escape(cls[1..]) : Regex.Escape(cls)).Append(']');
                    i = end;
                    break;
                case '\\' when i + 1 < glob.Length:
                    sb.Append(Regex.Escape(glob[++i].ToString()));
                    break;
                default:
                    sb.Append(Regex.Escape(c.ToString()));
                    break;
            }
        }

        return new Regex(sb.Append('$').ToString(), RegexOptions.CultureInvariant);
    }

    /// <summary>The familiar repository name of a full reference ("docker.io/library/busybox:latest" → "busybox").</summary>
    internal static string FamiliarName(string fullRef) => ImageReference.Parse(fullRef).FamiliarName;
}
