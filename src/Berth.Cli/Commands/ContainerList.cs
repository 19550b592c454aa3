using System.Text.Json.Nodes;
using Berth.Cli.Formatting;
using Berth.Cli.Parsing;
using Berth.Cli.Templates;
using Berth.Client;

namespace Berth.Cli.Commands;

/// <summary><c>ps</c> / <c>container ls</c>.</summary>
public static class ContainerList
{
    public const string DefaultTable = "table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t{{.Names}}";

    public static readonly IReadOnlyDictionary<string, string> Headers = new Dictionary<string, string>
    {
        ["ID"] = "CONTAINER ID",
        ["Names"] = "NAMES",
        ["Image"] = "IMAGE",
        ["Command"] = "COMMAND",
        ["CreatedAt"] = "CREATED AT",
        ["RunningFor"] = "CREATED",
        ["Ports"] = "PORTS",
        ["State"] = "STATE",
        ["Status"] = "STATUS",
        ["Size"] = "SIZE",
        ["Labels"] = "LABELS",
        ["Mounts"] = "MOUNTS",
        ["LocalVolumes"] = "LOCAL VOLUMES",
        ["Networks"] = "NETWORKS",
        ["Platform"] = "PLATFORM",
    };

    public static CommandSpec Create(string name, IReadOnlyList<string> aliases) => new()
    {
        Name = name,
        Aliases = aliases,
        Usage = "[OPTIONS]",
        Short = "Show containers",
        AliasPaths = ["container ls", "container list", "container ps", "ps"],
        Args = ArgRule.None,
        Flags =
        [
            Flag.Bool("a|all", "Include stopped containers"),
            Common.FilterFlag(),
            Common.FormatFlag(),
            Flag.Int("n|last", "The n most recently made containers, in any state", "-1"),
            Flag.Bool("l|latest", "The most recently made container, in any state"),
            Flag.Bool("no-trunc", "Print full values"),
            Flag.Bool("q|quiet", "Print container IDs only"),
            Flag.Bool("s|size", "Add the size of each container's files"),
        ],
        Run = RunAsync,
    };

    private static async Task<int> RunAsync(Invocation inv)
    {
        var f = inv.Flags;
        var quiet = f.Bool("quiet");
        var size = f.Bool("size");
        var format = f.String("format") ?? string.Empty;
        if (format.Length == 0)
        {
            format = inv.Context.Config.PsFormat is { } cfg && !quiet ? cfg : "table";
        }

        format = format switch
        {
            "table" when quiet => "{{.ID}}",
            "table" => size ? DefaultTable + "\t{{.Size}}" : DefaultTable,
            "raw" when quiet => "container_id: {{.ID}}",
            "raw" => "container_id: {{.ID}}\nimage: {{.Image}}\ncommand: {{.Command}}\ncreated_at: {{.CreatedAt}}\nstate: {{- pad .State 1 0}}\nstatus: {{- pad .Status 1 0}}\nnames: {{.Names}}\nlabels: {{- pad .Labels 1 0}}\nports: {{- pad .Ports 1 0}}\n" + (size ? "size: {{.Size}}\n" : string.Empty),
            _ => format,
        };

        // Ask the engine for sizes only when shown (computing them is costly).
        if (!quiet && !f.IsSet("size") && format.Contains(".Size", StringComparison.Ordinal))
        {
            size = true;
        }

        var last = f.Int("last", -1);
        if (f.Bool("latest") && last == -1)
        {
            last = 1;
        }

        // docker checks the template before asking the engine.
        try
        {
            FormatRenderer.Render(format, [NewContext(new JsonObject(), true, DateTimeOffset.UnixEpoch)], Headers);
        }
        catch (TemplateException e)
        {
            throw new CliException("failed to execute template: " + e.Message);
        }

        var query = new EngineQuery()
            .AddBool("all", f.Bool("all"))
            .AddIf(last > 0, "limit", Common.I(last))
            .AddBool("size", size)
            .Add("filters", Common.FiltersJson(f.List("filter")));
        var list = await inv.Client.GetJsonAsync("/containers/json", query, inv.CancellationToken);
        var trunc = !f.Bool("no-trunc");
        var now = inv.Context.Clock.GetUtcNow();
        var rows = Common.Items(list).Select(c => (object?)NewContext(c, trunc, now)).ToList();
        await inv.Out.WriteAsync(FormatRenderer.Render(format, rows, Headers));
        return 0;
    }

    public static RowContext NewContext(JsonNode c, bool trunc, DateTimeOffset now)
    {
        var ctx = new RowContext("*formatter.ContainerContext");
        var id = Common.Str(c, "Id") ?? string.Empty;
        var created = DateTimeOffset.FromUnixTimeSeconds(Common.Long(c, "Created"));
        var labels = c["Labels"] as JsonObject;
        ctx.Add("Command", () =>
        {
            var command = Common.Str(c, "Command") ?? string.Empty;
            return GoParse.Quote(trunc ? Ids.Ellipsis(command, 20) : command);
        });
        ctx.Add("CreatedAt", () => GoTime.ToGoString(created));
        ctx.Add("ID", () => trunc ? Ids.Truncate(id) : id);
        ctx.Add("Image", () => DisplayImage(c, trunc));
        ctx.AddLabels(labels);
        ctx.Add("LocalVolumes", () => Common.I(Common.Items(c["Mounts"]).Count(m => Common.Str(m, "Driver") == "local")));
        ctx.Add("Mounts", () => string.Join(",", Common.Items(c["Mounts"]).Select(m =>
        {
            var n = Common.Str(m, "Name");
            var name = string.IsNullOrEmpty(n) ? Common.Str(m, "Source") ?? string.Empty : n;
            return trunc ? Ids.Ellipsis(name, 15) : name;
        })));
        ctx.Add("Names", () =>
        {
            var names = Common.Strings(c["Names"]).Select(n => n.StartsWith('/') ? n[1..] : n).ToList();
            if (trunc)
            {
                var single = names.FirstOrDefault(n => !n.Contains('/', StringComparison.Ordinal));
                if (single is not null)
                {
                    names = [single];
                }
            }

            return string.Join(",", names);
        });
        ctx.Add("Networks", () => c["NetworkSettings"]?["Networks"] is JsonObject nets ? string.Join(",", nets.Select(kv => kv.Key).OrderBy(k => k, StringComparer.Ordinal)) : string.Empty);
        ctx.Add("Platform", () => GoNil.Pointer);
        ctx.Add("Ports", () => Ports.Display(c["Ports"]));
        ctx.Add("RunningFor", () => Units.HumanDuration(now - created) + " ago");
        ctx.Add("Size", () =>
        {
            var srw = Units.HumanSize(Common.Long(c, "SizeRw"), 3);
            var rootfs = Common.Long(c, "SizeRootFs");
            return rootfs > 0 ? $"{srw} (virtual {Units.HumanSize(rootfs, 3)})" : srw;
        });
        ctx.Add("State", () => Common.Str(c, "State") ?? string.Empty);
        ctx.Add("Status", () => Common.Str(c, "Status") ?? string.Empty);
        return ctx;
    }

    private static string DisplayImage(JsonNode c, bool trunc)
    {
        var image = Common.Str(c, "Image") ?? string.Empty;
        if (image.Length == 0)
        {
            return "<no image>";
        }

        if (!trunc)
        {
            return image;
        }

        var imageId = Common.Str(c, "ImageID") ?? string.Empty;
        if (Ids.Truncate(imageId) == Ids.Truncate(image))
        {
            return Ids.Truncate(imageId);
        }

        var r = ImageReference.TryParse(image, out _);
        if (r is null)
        {
            return image;
        }

        return r.Tag is not null ? r.FamiliarName + ":" + r.Tag : r.FamiliarName;
    }
}
