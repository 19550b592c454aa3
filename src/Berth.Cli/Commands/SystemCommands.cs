using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Berth.Cli.Formatting;
using Berth.Cli.Parsing;
using Berth.Cli.Templates;
using Berth.Client;

namespace Berth.Cli.Commands;

/// <summary>info, events, system df, system prune, image prune.</summary>
public static class SystemCommands
{
    public static CommandSpec Info(string name) => new()
    {
        Name = name,
        Usage = "[OPTIONS]",
        Short = "Show the engine's configuration and counts of its objects",
        AliasPaths = ["system info", "info"],
        Args = ArgRule.None,
        Flags = [Common.FormatFlag(inspect: true)],
        Run = InfoAsync,
    };

    private static async Task<int> InfoAsync(Invocation inv)
    {
        var format = inv.Flags.String("format") ?? string.Empty;
        JsonNode? info = null;
        Exception? error = null;
        try
        {
            info = await inv.Client.GetJsonAsync("/info", null, inv.CancellationToken);
        }
        catch (Exception e) when (e is EngineApiException or EngineConnectionException)
        {
            error = e;
        }

        if (format.Length > 0)
        {
            if (error is not null)
            {
                throw error;
            }

            var obj = (JsonObject)info!;
            var clientInfo = new JsonObject { ["Debug"] = inv.Context.Debug, ["Context"] = "default", ["Plugins"] = new JsonArray(), ["Warnings"] = null };
            obj["ClientInfo"] = clientInfo;
            var template = GoTemplate.Parse(format == "json" ? "{{json .}}" : format);
            var model = JsonModel.FromJson(obj);
            if (model is GoStruct st)
            {
                st.TypeName = "system.dockerInfo";
            }

            var text = new StringBuilder();
            try
            {
                template.Execute(text, model);
            }
            catch (TemplateException e)
            {
                await inv.Out.WriteLineAsync(text.ToString());
                throw new CliException(e.Message);
            }

            await inv.Out.WriteLineAsync(text.ToString());
            return 0;
        }

        var sb = new StringBuilder();
        sb.Append("Client:\n");
        sb.Append(" Version:    ").Append(App.Version).Append('\n');
        sb.Append(" Context:    default\n");
        sb.Append(" Debug Mode: ").Append(inv.Context.Debug ? "true" : "false").Append('\n');
        sb.Append('\n');
        sb.Append("Server:\n");
        if (info is null)
        {
            await inv.Out.WriteAsync(sb.ToString());
            inv.Context.FlushOut();
            throw error!;
        }

        ServerSection(sb, info);
        await inv.Out.WriteAsync(sb.ToString());
        foreach (var w in Common.Strings(info["Warnings"]))
        {
            await inv.Err.WriteLineAsync(w);
        }

        return 0;
    }

    private static void ServerSection(StringBuilder sb, JsonNode info)
    {
        void Line(string label, string? value) => sb.Append(' ').Append(label).Append(": ").Append(value).Append('\n');
        Line("Containers", Common.I(Common.Long(info, "Containers")));
        sb.Append("  Running: ").Append(Common.Long(info, "ContainersRunning")).Append('\n');
        sb.Append("  Paused: ").Append(Common.Long(info, "ContainersPaused")).Append('\n');
        sb.Append("  Stopped: ").Append(Common.Long(info, "ContainersStopped")).Append('\n');
        Line("Images", Common.I(Common.Long(info, "Images")));
        Line("Server Version", Common.Str(info, "ServerVersion"));
        Line("Storage Driver", Common.Str(info, "Driver"));
        foreach (var pair in Common.Items(info["DriverStatus"]))
        {
            var kv = Common.Strings(pair).ToList();
            if (kv.Count == 2)
            {
                sb.Append("  ").Append(kv[0]).Append(": ").Append(kv[1]).Append('\n');
            }
        }

        Line("Logging Driver", Common.Str(info, "LoggingDriver"));
        Line("Cgroup Driver", Common.Str(info, "CgroupDriver"));
        Line("Cgroup Version", Common.Str(info, "CgroupVersion"));
        sb.Append(" Plugins:\n");
        var plugins = info["Plugins"];
        sb.Append("  Volume: ").Append(string.Join(" ", Common.Strings(plugins?["Volume"]))).Append('\n');
        sb.Append("  Network: ").Append(string.Join(" ", Common.Strings(plugins?["Network"]))).Append('\n');
        if (plugins?["Authorization"] is JsonArray { Count: > 0 } authz)
        {
            sb.Append("  Authorization: ").Append(string.Join(" ", Common.Strings(authz))).Append('\n');
        }

        sb.Append("  Log: ").Append(string.Join(" ", Common.Strings(plugins?["Log"]))).Append('\n');
        var swarm = info["Swarm"];
        Line("Swarm", Common.Str(swarm, "LocalNodeState"));
        if (Common.Str(swarm, "LocalNodeState") is "active" or "pending")
        {
            sb.Append("  NodeID: ").Append(Common.Str(swarm, "NodeID")).Append('\n');
            sb.Append("  Is Manager: ").Append(Common.Bool(swarm, "ControlAvailable") ? "true" : "false").Append('\n');
            sb.Append("  Node Address: ").Append(Common.Str(swarm, "NodeAddr")).Append('\n');
        }

        if (info["Runtimes"] is JsonObject runtimes)
        {
            Line("Runtimes", string.Join(" ", runtimes.Select(kv => kv.Key).OrderBy(k => k, StringComparer.Ordinal)));
        }

        Line("Default Runtime", Common.Str(info, "DefaultRuntime"));
        Line("Init Binary", Common.Str(info, "InitBinary"));
        Line("containerd version", Common.Str(info["ContainerdCommit"], "ID"));
        Line("runc version", Common.Str(info["RuncCommit"], "ID"));
        Line("init version", Common.Str(info["InitCommit"], "ID"));
        var secopts = Common.Strings(info["SecurityOptions"]).ToList();
        if (secopts.Count > 0)
        {
            sb.Append(" Security Options:\n");
            foreach (var o in secopts)
            {
                var parts = o.Split(',');
                var optName = parts[0].StartsWith("name=", StringComparison.Ordinal) ? parts[0][5..] : parts[0];
                sb.Append("  ").Append(optName).Append('\n');
                foreach (var p in parts.Skip(1))
                {
                    var eq = p.IndexOf('=', StringComparison.Ordinal);
                    if (eq > 0)
                    {
                        var key = p[..eq];
                        sb.Append("   ").Append(char.ToUpperInvariant(key[0])).Append(key[1..]).Append(": ").Append(p[(eq + 1)..]).Append('\n');
                    }
                }
            }
        }

        Line("Kernel Version", Common.Str(info, "KernelVersion"));
        Line("Operating System", Common.Str(info, "OperatingSystem"));
        Line("OSType", Common.Str(info, "OSType"));
        Line("Architecture", Common.Str(info, "Architecture"));
        Line("CPUs", Common.I(Common.Long(info, "NCPU")));
        Line("Total Memory", Units.BytesSize(Common.Long(info, "MemTotal")));
        Line("Name", Common.Str(info, "Name"));
        Line("ID", Common.Str(info, "ID"));
        Line("Docker Root Dir", Common.Str(info, "DockerRootDir"));
        Line("Debug Mode", Common.Bool(info, "Debug") ? "true" : "false");
        foreach (var (key, label) in new[] { ("HttpProxy", "HTTP Proxy"), ("HttpsProxy", "HTTPS Proxy"), ("NoProxy", "No Proxy") })
        {
            if (Common.Str(info, key) is { Length: > 0 } proxy)
            {
                Line(label, proxy);
            }
        }

        var labels = Common.Strings(info["Labels"]).ToList();
        if (labels.Count > 0)
        {
            sb.Append(" Labels:\n");
            foreach (var l in labels)
            {
                sb.Append("  ").Append(l).Append('\n');
            }
        }

        Line("Experimental", Common.Bool(info, "ExperimentalBuild") ? "true" : "false");
        var insecure = Common.Strings(info["RegistryConfig"]?["InsecureRegistryCIDRs"]).ToList();
        if (info["RegistryConfig"]?["IndexConfigs"] is JsonObject indexes)
        {
            foreach (var kv in indexes)
            {
                if (!Common.Bool(kv.Value, "Secure") && !Common.Bool(kv.Value, "Official"))
                {
                    insecure.Insert(0, kv.Key);
                }
            }
        }

        if (insecure.Count > 0)
        {
            sb.Append(" Insecure Registries:\n");
            foreach (var r in insecure)
            {
                sb.Append("  ").Append(r).Append('\n');
            }
        }

        var mirrors = Common.Strings(info["RegistryConfig"]?["Mirrors"]).ToList();
        if (mirrors.Count > 0)
        {
            sb.Append(" Registry Mirrors:\n");
            foreach (var m in mirrors)
            {
                sb.Append("  ").Append(m).Append('\n');
            }
        }

        Line("Live Restore Enabled", Common.Bool(info, "LiveRestoreEnabled") ? "true" : "false");
        sb.Append('\n');
    }

    public static CommandSpec Events(string name) => new()
    {
        Name = name,
        Usage = "[OPTIONS]",
        Short = "Follow the engine's events as they happen",
        AliasPaths = ["system events", "events"],
        Args = ArgRule.None,
        Flags =
        [
            Common.FilterFlag(),
            Common.FormatFlag(inspect: true, shorthand: false),
            Flag.String("since", "Start with the events since this time"),
            Flag.String("until", "Stop at this time"),
        ],
        Run = EventsAsync,
    };

    private static async Task<int> EventsAsync(Invocation inv)
    {
        var f = inv.Flags;
        var format = f.String("format") ?? string.Empty;
        var template = format.Length == 0 ? null : GoTemplate.Parse(format == "json" ? "{{json .}}" : format);
        var now = inv.Context.Clock.GetUtcNow();
        var q = new EngineQuery()
            .Add("since", f.String("since") is { } since ? TimeArg.ToTimestamp(since, now) : null)
            .Add("until", f.String("until") is { } until ? TimeArg.ToTimestamp(until, now) : null)
            .Add("filters", Common.FiltersJson(f.List("filter")));
        using var response = await inv.Client.SendAsync("GET", "/events", q, null, null, inv.CancellationToken);
        using var reader = new StreamReader(response.Body, Encoding.UTF8);
        while (await reader.ReadLineAsync(inv.CancellationToken) is { } line)
        {
            if (line.Trim().Length == 0)
            {
                continue;
            }

            var ev = JsonNode.Parse(line);
            if (template is not null)
            {
                await inv.Out.WriteLineAsync(template.Execute(EventModel(ev)));
            }
            else
            {
                await inv.Out.WriteLineAsync(PrettyEvent(ev));
            }

            await inv.Out.FlushAsync(inv.CancellationToken);
        }

        return 0;
    }

    private static object? EventModel(JsonNode? ev)
    {
        var model = JsonModel.FromJson(ev);
        if (model is GoStruct st && !st.Index.ContainsKey("Scope"))
        {
            // The Go type has these fields whatever the engine sent.
            foreach (var (key, jsonKey) in new[] { ("Status", "status"), ("ID", "id"), ("From", "from"), ("Scope", "scope"), ("Time", "time"), ("TimeNano", "timeNano") })
            {
                st.Index[key] = st.Index.TryGetValue(jsonKey, out var v) ? v : string.Empty;
            }
        }

        return model;
    }

    public static string PrettyEvent(JsonNode? ev)
    {
        var sb = new StringBuilder();
        var nano = Common.Long(ev, "timeNano");
        var seconds = Common.Long(ev, "time");
        if (nano != 0 || seconds != 0)
        {
            var t = nano != 0 ? DateTimeOffset.FromUnixTimeMilliseconds(nano / 1_000_000) : DateTimeOffset.FromUnixTimeSeconds(seconds);
            var extra = nano != 0 ? nano % 1_000_000 : 0;
            var local = TimeZoneInfo.ConvertTime(t, TimeZoneInfo.Local);
            var frac = ((local.Ticks % TimeSpan.TicksPerSecond) * 100) + extra;
            var offset = local.Offset == TimeSpan.Zero ? "Z" : local.ToString("zzz", CultureInfo.InvariantCulture);
            sb.Append(local.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture)).Append('.').Append(frac.ToString("000000000", CultureInfo.InvariantCulture)).Append(offset).Append(' ');
        }

        var actor = ev?["Actor"];
        sb.Append(Common.Str(ev, "Type")).Append(' ').Append(Common.Str(ev, "Action")).Append(' ').Append(Common.Str(actor, "ID"));
        if (actor?["Attributes"] is JsonObject attrs && attrs.Count > 0)
        {
            sb.Append(" (").Append(string.Join(", ", attrs.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + (kv.Value is JsonValue v ? v.ToString() : string.Empty)))).Append(')');
        }

        return sb.ToString();
    }

    public static CommandSpec DiskUsage(string name) => new()
    {
        Name = name,
        Usage = "[OPTIONS]",
        Short = "Show how much disk the engine's images, containers, volumes and build cache use",
        Args = ArgRule.None,
        Flags = [Common.FormatFlag(), Flag.Bool("v|verbose", "Break the usage down per object")],
        Run = DiskUsageAsync,
    };

    private static async Task<int> DiskUsageAsync(Invocation inv)
    {
        var du = await inv.Client.GetJsonAsync("/system/df", null, inv.CancellationToken);
        var now = inv.Context.Clock.GetUtcNow();
        var format = inv.Flags.String("format") ?? string.Empty;
        if (inv.Flags.Bool("verbose"))
        {
            await inv.Out.WriteAsync(Verbose(du, now));
            return 0;
        }

        var images = Common.Items(du?["Images"]).ToList();
        var containers = Common.Items(du?["Containers"]).ToList();
        var volumes = Common.Items(du?["Volumes"]).ToList();
        var cache = Common.Items(du?["BuildCache"]).ToList();
        var layers = Common.Long(du, "LayersSize");
        var usedImages = images.Where(i => Common.Long(i, "Containers") != 0 && Common.Long(i, "Size") != -1 && Common.Long(i, "SharedSize") != -1)
            .Sum(i => Common.Long(i, "Size") - Common.Long(i, "SharedSize"));
        static bool Active(JsonNode c) => (Common.Str(c, "State") ?? string.Empty) is var s && (s.Contains("running", StringComparison.Ordinal) || s.Contains("paused", StringComparison.Ordinal) || s.Contains("restarting", StringComparison.Ordinal));
        var containersSize = containers.Sum(c => Common.Long(c, "SizeRw"));
        var containersReclaim = containers.Where(c => !Active(c)).Sum(c => Common.Long(c, "SizeRw"));
        var volumeSize = volumes.Select(v => Common.Long(v["UsageData"], "Size")).Where(s => s > 0).Sum();
        var volumeReclaim = volumes.Where(v => Common.Long(v["UsageData"], "RefCount") == 0).Select(v => Common.Long(v["UsageData"], "Size")).Where(s => s > 0).Sum();
        var cacheSize = cache.Where(c => !Common.Bool(c, "Shared")).Sum(c => Common.Long(c, "Size"));
        var cacheReclaim = cache.Where(c => !Common.Bool(c, "InUse") && !Common.Bool(c, "Shared")).Sum(c => Common.Long(c, "Size"));

        static string Reclaim(long reclaim, long total) => total > 0 ? $"{Units.HumanSize(reclaim)} ({reclaim * 100 / total}%)" : Units.HumanSize(reclaim);
        RowContext Row(string type, int total, int active, long size, string reclaimable) => new RowContext("*formatter.diskUsageContext")
            .Add("Type", () => type)
            .Add("TotalCount", () => Common.I(total))
            .Add("Active", () => Common.I(active))
            .Add("Size", () => Units.HumanSize(size))
            .Add("Reclaimable", () => reclaimable);
        var rows = new List<object?>
        {
            Row("Images", images.Count, images.Count(i => Common.Long(i, "Containers") > 0), layers, Reclaim(layers - usedImages, layers)),
            Row("Containers", containers.Count, containers.Count(Active), containersSize, Reclaim(containersReclaim, containersSize)),
            Row("Local Volumes", volumes.Count, volumes.Count(v => Common.Long(v["UsageData"], "RefCount") > 0), volumeSize, Reclaim(volumeReclaim, volumeSize)),
            Row("Build Cache", cache.Count, cache.Count(c => Common.Bool(c, "InUse")), cacheSize, Units.HumanSize(cacheReclaim)),
        };
        var headers = new Dictionary<string, string> { ["Type"] = "TYPE", ["TotalCount"] = "TOTAL", ["Active"] = "ACTIVE", ["Size"] = "SIZE", ["Reclaimable"] = "RECLAIMABLE" };
        await inv.Out.WriteAsync(FormatRenderer.Render(format is "" or "table" ? "table {{.Type}}\t{{.TotalCount}}\t{{.Active}}\t{{.Size}}\t{{.Reclaimable}}" : format, rows, headers));
        return 0;
    }

    private static string Verbose(JsonNode? du, DateTimeOffset now)
    {
        var sb = new StringBuilder("Images space usage:\n\n");
        var imageRows = new List<object?>();
        foreach (var img in Common.Items(du?["Images"]))
        {
            var tags = Common.Strings(img["RepoTags"]).ToList();
            if (tags.Count == 0)
            {
                tags.Add("<none>:<none>");
            }

            foreach (var t in tags)
            {
                var colon = t.LastIndexOf(':');
                var id = Common.Str(img, "Id") ?? string.Empty;
                var created = Common.Long(img, "Created");
                var size = Common.Long(img, "Size");
                var shared = Common.Long(img, "SharedSize");
                imageRows.Add(new RowContext("*formatter.imageContext")
                    .Add("Repository", () => t[..colon])
                    .Add("Tag", () => t[(colon + 1)..])
                    .Add("ID", () => Ids.Truncate(id))
                    .Add("CreatedSince", () => Units.HumanDuration(now - DateTimeOffset.FromUnixTimeSeconds(created)) + " ago")
                    .Add("Size", () => Units.HumanSize(size, 3))
                    .Add("SharedSize", () => shared == -1 ? "N/A" : Units.HumanSize(shared))
                    .Add("UniqueSize", () => shared == -1 ? "N/A" : Units.HumanSize(size - shared))
                    .Add("Containers", () => Common.I(Common.Long(img, "Containers"))));
            }
        }

        sb.Append(FormatRenderer.Render("table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}\t{{.SharedSize}}\t{{.UniqueSize}}\t{{.Containers}}", imageRows, ImageCommands.ImageHeaders));
        sb.Append("\nContainers space usage:\n\n");
        var containerRows = Common.Items(du?["Containers"]).Select(c => (object?)ContainerList.NewContext(c, true, now)).ToList();
        sb.Append(FormatRenderer.Render("table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.LocalVolumes}}\t{{.Size}}\t{{.RunningFor}}\t{{.Status}}\t{{.Names}}", containerRows, ContainerList.Headers));
        sb.Append("\nLocal Volumes space usage:\n\n");
        var volumeRows = Common.Items(du?["Volumes"]).Select(v => (object?)new RowContext("*formatter.volumeContext")
            .Add("Name", () => Common.Str(v, "Name") ?? string.Empty)
            .Add("Links", () => Common.I(Common.Long(v["UsageData"], "RefCount")))
            .Add("Size", () => Common.Long(v["UsageData"], "Size") is var s && s < 0 ? "N/A" : Units.HumanSize(s))).ToList();
        sb.Append(FormatRenderer.Render("table {{.Name}}\t{{.Links}}\t{{.Size}}", volumeRows, new Dictionary<string, string> { ["Name"] = "VOLUME NAME", ["Links"] = "LINKS", ["Size"] = "SIZE" }));
        var cache = Common.Items(du?["BuildCache"]).ToList();
        sb.Append("\nBuild cache usage: ").Append(Units.HumanSize(cache.Where(c => !Common.Bool(c, "Shared")).Sum(c => Common.Long(c, "Size")))).Append("\n\n");
        var cacheRows = cache.Select(c => (object?)new RowContext("*formatter.buildCacheContext")
            .Add("ID", () => Ids.Truncate(Common.Str(c, "ID") ?? string.Empty))
            .Add("CacheType", () => Common.Str(c, "Type") ?? string.Empty)
            .Add("Size", () => Units.HumanSize(Common.Long(c, "Size")))
            .Add("CreatedSince", () => GoTime.TryParse(Common.Str(c, "CreatedAt"), out var t) ? Units.HumanDuration(now - t) + " ago" : string.Empty)
            .Add("LastUsedSince", () => GoTime.TryParse(Common.Str(c, "LastUsedAt"), out var t) ? Units.HumanDuration(now - t) + " ago" : string.Empty)
            .Add("UsageCount", () => Common.I(Common.Long(c, "UsageCount")))
            .Add("Shared", () => Common.Bool(c, "Shared") ? "true" : "false")).ToList();
        sb.Append(FormatRenderer.Render("table {{.ID}}\t{{.CacheType}}\t{{.Size}}\t{{.CreatedSince}}\t{{.LastUsedSince}}\t{{.UsageCount}}\t{{.Shared}}", cacheRows, new Dictionary<string, string> { ["ID"] = "CACHE ID", ["CacheType"] = "CACHE TYPE", ["Size"] = "SIZE", ["CreatedSince"] = "CREATED", ["LastUsedSince"] = "LAST USED", ["UsageCount"] = "USAGE", ["Shared"] = "SHARED" }));
        return sb.ToString();
    }

    public static CommandSpec ImagePrune(string name) => Pruning.Command(
        name,
        "Delete images no container uses",
        [
            Flag.Bool("a|all", "Delete every image no container uses, named or not"),
            Flag.List("filter", "Filter by condition (e.g. \"until=<timestamp>\")", "filter"),
            Flag.Bool("f|force", "Skip the confirmation question"),
        ],
        inv => inv.Flags.Bool("all") ? "WARNING! This will remove all images without at least one container associated to them." : "WARNING! This will remove all dangling images.",
        async inv => await PruneImagesAsync(inv, inv.Flags.Bool("all"), inv.Flags.List("filter")));

    public static async Task<(string Report, long Space)> PruneImagesAsync(Invocation inv, bool all, IReadOnlyList<string> filters)
    {
        var list = filters.ToList();
        list.Add("dangling=" + (all ? "false" : "true"));
        var result = await inv.Client.PostJsonAsync("/images/prune", new EngineQuery().Add("filters", Common.FiltersJson(list)), null, inv.CancellationToken);
        var sb = new StringBuilder();
        var items = Common.Items(result?["ImagesDeleted"]).ToList();
        if (items.Count > 0)
        {
            sb.Append("Deleted Images:\n");
            foreach (var item in items)
            {
                if (Common.Str(item, "Untagged") is { Length: > 0 } u)
                {
                    sb.Append("untagged: ").Append(u).Append('\n');
                }

                if (Common.Str(item, "Deleted") is { Length: > 0 } d)
                {
                    sb.Append("deleted: ").Append(d).Append('\n');
                }
            }

            sb.Append('\n');
        }

        return (sb.ToString(), Common.Long(result, "SpaceReclaimed"));
    }

    public static CommandSpec SystemPrune(string name) => new()
    {
        Name = name,
        Usage = "[OPTIONS]",
        Short = "Delete stopped containers, unused networks, dangling images and build cache",
        Args = ArgRule.None,
        Flags =
        [
            Flag.Bool("a|all", "Delete every image no container uses, named or not"),
            Flag.List("filter", "Filter by condition (e.g. \"label=<key>=<value>\")", "filter"),
            Flag.Bool("f|force", "Skip the confirmation question"),
            Flag.Bool("volumes", "Delete unused anonymous volumes too"),
        ],
        Run = async inv =>
        {
            var f = inv.Flags;
            var all = f.Bool("all");
            var volumes = f.Bool("volumes");
            if (volumes && f.List("filter").Any(x => x.Split('=')[0] == "until"))
            {
                throw new CliException("ERROR: The \"until\" filter is not supported with \"--volumes\"");
            }

            var warning = new StringBuilder("WARNING! This will remove:\n  - all stopped containers\n  - all networks not used by at least one container\n");
            if (volumes)
            {
                warning.Append("  - all anonymous volumes not used by at least one container\n");
            }

            warning.Append(all ? "  - all images without at least one container associated to them\n" : "  - all dangling images\n");
            warning.Append(all ? "  - all build cache\n" : "  - unused build cache\n");
            if (!await Prompt.ConfirmAsync(inv, warning.ToString()))
            {
                return 0;
            }

            var filters = f.List("filter");
            long space = 0;
            var (cReport, cSpace) = await ContainerMisc.PruneContainersAsync(inv, filters);
            await inv.Out.WriteAsync(cReport);
            space += cSpace;
            var nReport = await NetworkCommands.PruneNetworksAsync(inv, filters);
            await inv.Out.WriteAsync(nReport);
            if (volumes)
            {
                var (vReport, vSpace) = await VolumeCommands.PruneVolumesAsync(inv, filters, false);
                await inv.Out.WriteAsync(vReport);
                space += vSpace;
            }

            var (iReport, iSpace) = await PruneImagesAsync(inv, all, filters);
            await inv.Out.WriteAsync(iReport);
            space += iSpace;
            // As docker does: the build cache gets the same filters (the daemon validates them) and an error fails the command.
            var (bReport, bSpace) = await BuilderCommands.PruneCacheAsync(inv, all, filters, null);
            await inv.Out.WriteAsync(bReport);
            space += bSpace;
            await inv.Out.WriteLineAsync(Pruning.Total(space));
            return 0;
        },
    };
}
