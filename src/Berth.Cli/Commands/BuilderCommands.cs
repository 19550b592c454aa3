using Berth.Cli.Formatting;
using Berth.Cli.Parsing;
using Berth.Client;

namespace Berth.Cli.Commands;

/// <summary><c>builder</c>: build and the build cache.</summary>
public static class BuilderCommands
{
    public static CommandSpec Group()
    {
        var g = new CommandSpec { Name = "builder", Short = "Work with the build cache", Group = "management" };
        g.Add(ImageBuild.Create("build"));
        g.Add(Pruning.Command(
            "prune",
            "Delete build cache entries",
            [
                Flag.Bool("a|all", "Delete all unused build cache, not only unreferenced entries"),
                Flag.List("filter", "Filter by condition (e.g. \"until=24h\")", "filter"),
                Flag.Bool("f|force", "Skip the confirmation question"),
                Flag.Bytes("keep-storage", "Build cache to keep, in bytes"),
            ],
            inv => inv.Flags.Bool("all") ? "WARNING! This will remove all build cache." : "WARNING! This will remove all dangling build cache.",
            async inv => await PruneCacheAsync(inv, inv.Flags.Bool("all"), inv.Flags.List("filter"), inv.Flags.IsSet("keep-storage") ? inv.Flags.Bytes("keep-storage") : null)));
        return g;
    }

    /// <summary>POST /build/prune and docker's report of it.</summary>
    public static async Task<(string Report, long Space)> PruneCacheAsync(Invocation inv, bool all, IReadOnlyList<string> filters, long? keepStorage)
    {
        var q = new EngineQuery().AddBool("all", all).Add("filters", Common.FiltersJson(filters))
            .AddIf(keepStorage is not null, "keep-storage", Common.I(keepStorage ?? 0));
        var result = await inv.Client.PostJsonAsync("/build/prune", q, null, inv.CancellationToken);
        return (Pruning.Section("Deleted build cache objects:", Common.Strings(result?["CachesDeleted"])), Common.Long(result, "SpaceReclaimed"));
    }

    public static CommandSpec Search() => new()
    {
        Name = "search",
        Usage = "[OPTIONS] TERM",
        Short = "Look up images in a registry's search index",
        Group = "common",
        Args = ArgRule.Exactly(1),
        Flags =
        [
            Common.FilterFlag(),
            Common.FormatFlag(),
            Flag.Int("limit", "Most results to show"),
            Flag.Bool("no-trunc", "Print full values"),
        ],
        Run = async inv =>
        {
            var f = inv.Flags;
            var q = new EngineQuery().Add("term", inv.Args[0]).AddIf(f.IsSet("limit"), "limit", Common.I(f.Int("limit"))).Add("filters", Common.FiltersJson(f.List("filter")));
            var headers = new Dictionary<string, string> { ["X-Registry-Auth"] = RegistryAuth.HeaderFor(inv.Context.Config, RegistryAuth.DockerHubKey) };
            using var r = await inv.Client.SendAsync("GET", "/images/search", q, null, headers, inv.CancellationToken);
            var results = await r.ReadJsonAsync(inv.CancellationToken);
            var trunc = !f.Bool("no-trunc");
            var rows = Common.Items(results).Select(s => (object?)new RowContext("*formatter.searchContext")
                .Add("Name", () => Common.Str(s, "name") ?? string.Empty)
                .Add("Description", () =>
                {
                    var d = (Common.Str(s, "description") ?? string.Empty).Replace("\n", " ", StringComparison.Ordinal).Replace("\r", " ", StringComparison.Ordinal);
                    return trunc ? Ids.Ellipsis(d, 45) : d;
                })
                .Add("StarCount", () => Common.I(Common.Long(s, "star_count")))
                .Add("IsOfficial", () => Common.Bool(s, "is_official") ? "[OK]" : string.Empty)).ToList();
            var headerMap = new Dictionary<string, string> { ["Name"] = "NAME", ["Description"] = "DESCRIPTION", ["StarCount"] = "STARS", ["IsOfficial"] = "OFFICIAL" };
            var format = f.String("format") is { Length: > 0 } fmt && fmt != "table" ? fmt : "table {{.Name}}\t{{.Description}}\t{{.StarCount}}\t{{.IsOfficial}}";
            await inv.Out.WriteAsync(FormatRenderer.Render(format, rows, headerMap));
            return 0;
        },
    };
}
