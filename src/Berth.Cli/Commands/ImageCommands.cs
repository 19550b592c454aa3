using System.Text.Json.Nodes;
using Berth.Cli.Formatting;
using Berth.Cli.Parsing;
using Berth.Client;

namespace Berth.Cli.Commands;

/// <summary><c>images</c>, <c>rmi</c>, <c>tag</c>, <c>history</c>.</summary>
public static class ImageCommands
{
    public static readonly IReadOnlyDictionary<string, string> ImageHeaders = new Dictionary<string, string>
    {
        ["ID"] = "IMAGE ID",
        ["Repository"] = "REPOSITORY",
        ["Tag"] = "TAG",
        ["Digest"] = "DIGEST",
        ["CreatedSince"] = "CREATED",
        ["CreatedAt"] = "CREATED AT",
        ["Size"] = "SIZE",
        ["Containers"] = "CONTAINERS",
        ["VirtualSize"] = "VIRTUAL SIZE",
        ["SharedSize"] = "SHARED SIZE",
        ["UniqueSize"] = "UNIQUE SIZE",
    };

    public static readonly IReadOnlyDictionary<string, string> HistoryHeaders = new Dictionary<string, string>
    {
        ["ID"] = "IMAGE",
        ["CreatedSince"] = "CREATED",
        ["CreatedAt"] = "CREATED AT",
        ["CreatedBy"] = "CREATED BY",
        ["Size"] = "SIZE",
        ["Comment"] = "COMMENT",
    };

    public static CommandSpec List(string name, IReadOnlyList<string> aliases) => new()
    {
        Name = name,
        Aliases = aliases,
        Usage = "[OPTIONS] [REPOSITORY[:TAG]]",
        Short = "Show images",
        AliasPaths = ["image ls", "image list", "images"],
        Args = ArgRule.AtMost(1),
        Flags =
        [
            Flag.Bool("a|all", "Include intermediate images"),
            Flag.Bool("digests", "Add a digest column"),
            Common.FilterFlag(),
            Common.FormatFlag(),
            Flag.Bool("no-trunc", "Print full values"),
            Flag.Bool("q|quiet", "Print image IDs only"),
            Flag.NotImplemented(Flag.Bool("tree", "Show multi-platform images as a tree (experimental)")),
        ],
        Run = ListAsync,
    };

    private static async Task<int> ListAsync(Invocation inv)
    {
        var f = inv.Flags;
        var filters = f.List("filter").ToList();
        if (inv.Args.Count == 1)
        {
            filters.Add("reference=" + inv.Args[0]);
        }

        var query = new EngineQuery().AddBool("all", f.Bool("all")).Add("filters", Common.FiltersJson(filters));
        var list = await inv.Client.GetJsonAsync("/images/json", query, inv.CancellationToken);
        var quiet = f.Bool("quiet");
        var digests = f.Bool("digests");
        var format = f.String("format") ?? string.Empty;
        if (format.Length == 0)
        {
            format = inv.Context.Config.ImagesFormat is { } cfg && !quiet ? cfg : "table";
        }

        format = format switch
        {
            "table" when quiet => "{{.ID}}",
            "table" when digests => "table {{.Repository}}\t{{.Tag}}\t{{.Digest}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}",
            "table" => "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}",
            _ when FormatRenderer.IsTable(format) && digests && !format.Contains("{{.Digest}}", StringComparison.Ordinal) => format + "\t{{.Digest}}",
            _ => format,
        };
        var trunc = !f.Bool("no-trunc");
        var now = inv.Context.Clock.GetUtcNow();
        var rows = new List<object?>();
        foreach (var img in Common.Items(list))
        {
            foreach (var (repo, tag, digest) in Rows(img, digests))
            {
                rows.Add(ImageRow(img, repo, tag, digest, trunc, now));
            }
        }

        await inv.Out.WriteAsync(FormatRenderer.Render(format, rows, ImageHeaders));
        return 0;
    }

    private static List<(string Repo, string Tag, string Digest)> Rows(JsonNode img, bool showDigests)
    {
        var tags = Common.Strings(img["RepoTags"]).ToList();
        var digests = Common.Strings(img["RepoDigests"]).ToList();
        if ((tags.Count == 0 && digests.Count == 0) || (tags is ["<none>:<none>"] && digests is ["<none>@<none>"]))
        {
            return [("<none>", "<none>", "<none>")];
        }

        var repoTags = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        var repoDigests = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var t in tags)
        {
            var r = ImageReference.TryParse(t, out _);
            if (r?.Tag is null)
            {
                continue;
            }

            if (!repoTags.TryGetValue(r.FamiliarName, out var l))
            {
                repoTags[r.FamiliarName] = l = [];
            }

            l.Add(r.Tag);
        }

        foreach (var d in digests)
        {
            var r = ImageReference.TryParse(d, out _);
            if (r?.Digest is null)
            {
                continue;
            }

            if (!repoDigests.TryGetValue(r.FamiliarName, out var l))
            {
                repoDigests[r.FamiliarName] = l = [];
            }

            l.Add(r.Digest);
        }

        var rows = new List<(string, string, string)>();
        foreach (var (repo, repoTagList) in repoTags)
        {
            repoDigests.Remove(repo, out var ds);
            if (!showDigests)
            {
                ds = null;
            }

            foreach (var tag in repoTagList)
            {
                if (ds is null || ds.Count == 0)
                {
                    rows.Add((repo, tag, "<none>"));
                    continue;
                }

                foreach (var d in ds)
                {
                    rows.Add((repo, tag, d));
                }
            }
        }

        foreach (var (repo, ds) in repoDigests)
        {
            if (showDigests)
            {
                foreach (var d in ds)
                {
                    rows.Add((repo, "<none>", d));
                }
            }
            else
            {
                rows.Add((repo, "<none>", string.Empty));
            }
        }

        return rows;
    }

    private static RowContext ImageRow(JsonNode img, string repo, string tag, string digest, bool trunc, DateTimeOffset now)
    {
        var id = Common.Str(img, "Id") ?? string.Empty;
        var created = Common.Long(img, "Created");
        var size = Common.Long(img, "Size");
        var shared = img["SharedSize"] is null ? -1 : Common.Long(img, "SharedSize");
        var containers = img["Containers"] is null ? -1 : Common.Long(img, "Containers");
        return new RowContext("*formatter.imageContext")
            .Add("Containers", () => containers == -1 ? "N/A" : Common.I(containers))
            .Add("CreatedAt", () => GoTime.ToGoString(DateTimeOffset.FromUnixTimeSeconds(created)))
            .Add("CreatedSince", () => created == 0 ? string.Empty : Units.HumanDuration(now - DateTimeOffset.FromUnixTimeSeconds(created)) + " ago")
            .Add("Digest", () => digest)
            .Add("ID", () => trunc ? Ids.Truncate(id) : id)
            .Add("Repository", () => repo)
            .Add("SharedSize", () => shared == -1 ? "N/A" : Units.HumanSize(shared))
            .Add("Size", () => Units.HumanSize(size, 3))
            .Add("Tag", () => tag)
            .Add("UniqueSize", () => shared == -1 ? "N/A" : Units.HumanSize(size - shared))
            .Add("VirtualSize", () => Units.HumanSize(size));
    }

    public static CommandSpec Remove(string name, IReadOnlyList<string> aliases) => new()
    {
        Name = name,
        Aliases = aliases,
        Usage = "[OPTIONS] IMAGE [IMAGE...]",
        Short = "Delete images or remove their names",
        AliasPaths = ["image rm", "image remove", "rmi"],
        Args = ArgRule.AtLeast(1),
        Flags =
        [
            Flag.Bool("f|force", "Remove the image even when it has several names or a stopped container"),
            Flag.Bool("no-prune", "Keep parent images that lose their last name"),
            Flag.NotImplemented(Flag.List("platform", "Remove just this platform, as \"os[/arch[/variant]]\" (e.g., \"linux/amd64\")", "strings")),
        ],
        Run = inv => ContainerLifecycle.ForEachAsync(inv, async image =>
        {
            var q = new EngineQuery().AddBool("force", inv.Flags.Bool("force")).AddBool("noprune", inv.Flags.Bool("no-prune"));
            using var r = await inv.Client.SendAsync("DELETE", $"/images/{image}", q, null, null, inv.CancellationToken);
            var result = await r.ReadJsonAsync(inv.CancellationToken);
            foreach (var item in Common.Items(result))
            {
                if (Common.Str(item, "Untagged") is { } u)
                {
                    await inv.Out.WriteLineAsync("Untagged: " + u);
                }

                if (Common.Str(item, "Deleted") is { } d)
                {
                    await inv.Out.WriteLineAsync("Deleted: " + d);
                }
            }
        }),
    };

    public static CommandSpec Tag(string name) => new()
    {
        Name = name,
        Usage = "SOURCE_IMAGE[:TAG] TARGET_IMAGE[:TAG]",
        Short = "Give an image another name (TARGET_IMAGE for SOURCE_IMAGE)",
        AliasPaths = ["image tag", "tag"],
        Args = ArgRule.Exactly(2),
        Run = async inv =>
        {
            var target = inv.Args[1];
            var r = ImageReference.TryParse(target, out var error);
            if (r is null || r.Digest is not null)
            {
                throw new CliException($"Error parsing reference: \"{target}\" is not a valid repository/tag: {error ?? "refusing to create a tag with a digest reference"}");
            }

            var q = new EngineQuery().Add("repo", r.FamiliarName).Add("tag", r.Tag ?? "latest");
            using var resp = await inv.Client.SendAsync("POST", $"/images/{inv.Args[0]}/tag", q, null, null, inv.CancellationToken);
            return 0;
        },
    };

    public static CommandSpec History(string name) => new()
    {
        Name = name,
        Usage = "[OPTIONS] IMAGE",
        Short = "List the layers of an image and the steps that made them",
        AliasPaths = ["image history", "history"],
        Args = ArgRule.Exactly(1),
        Flags =
        [
            Common.FormatFlag(),
            Flag.Bool("H|human", "Print sizes and dates for people rather than programs", "true"),
            Flag.Bool("no-trunc", "Print full values"),
            Flag.NotImplemented(Flag.String("platform", "History of just this platform, as \"os[/arch[/variant]]\" (e.g., \"linux/amd64\")")),
            Flag.Bool("q|quiet", "Print image IDs only"),
        ],
        Run = async inv =>
        {
            var f = inv.Flags;
            var history = await inv.Client.GetJsonAsync($"/images/{inv.Args[0]}/history", null, inv.CancellationToken);
            var human = f.Bool("human", true);
            var trunc = !f.Bool("no-trunc");
            var format = f.String("format") ?? string.Empty;
            if (format.Length == 0 || format == "table")
            {
                format = f.Bool("quiet") ? "{{.ID}}" : human
                    ? "table {{.ID}}\t{{.CreatedSince}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}"
                    : "table {{.ID}}\t{{.CreatedAt}}\t{{.CreatedBy}}\t{{.Size}}\t{{.Comment}}";
            }

            var now = inv.Context.Clock.GetUtcNow();
            var rows = Common.Items(history).Select(h =>
            {
                var id = Common.Str(h, "Id") ?? string.Empty;
                var created = DateTimeOffset.FromUnixTimeSeconds(Common.Long(h, "Created"));
                var createdAt = TimeZoneInfo.ConvertTime(created, TimeZoneInfo.Local).ToString("yyyy-MM-dd'T'HH:mm:ssK", System.Globalization.CultureInfo.InvariantCulture).Replace("+00:00", "Z", StringComparison.Ordinal);
                var size = Common.Long(h, "Size");
                return (object?)new RowContext("*formatter.historyContext")
                    .Add("ID", () => trunc ? Ids.Truncate(id) : id)
                    .Add("CreatedAt", () => createdAt)
                    .Add("CreatedSince", () => human ? Units.HumanDuration(now - created) + " ago" : createdAt)
                    .Add("CreatedBy", () =>
                    {
                        var by = (Common.Str(h, "CreatedBy") ?? string.Empty).Replace("\t", " ", StringComparison.Ordinal);
                        return trunc ? Ids.Ellipsis(by, 45) : by;
                    })
                    .Add("Size", () => human ? Units.HumanSize(size, 3) : Common.I(size))
                    .Add("Comment", () => Common.Str(h, "Comment") ?? string.Empty);
            }).ToList();
            await inv.Out.WriteAsync(FormatRenderer.Render(format, rows, HistoryHeaders));
            return 0;
        },
    };
}
