using System.Text;
using System.Text.Json.Nodes;
using Berth.Cli.Formatting;
using Berth.Cli.Parsing;
using Berth.Cli.Templates;
using Berth.Client;

namespace Berth.Cli.Commands;

/// <summary><c>volume</c> commands: pass-through to the volumes API.</summary>
public static class VolumeCommands
{
    private static readonly IReadOnlyDictionary<string, string> Headers = new Dictionary<string, string>
    {
        ["Name"] = "VOLUME NAME",
        ["Driver"] = "DRIVER",
        ["Scope"] = "SCOPE",
        ["Mountpoint"] = "MOUNTPOINT",
        ["Labels"] = "LABELS",
        ["Links"] = "LINKS",
        ["Size"] = "SIZE",
    };

    public static CommandSpec Group()
    {
        var g = new CommandSpec { Name = "volume", Short = "Work with volumes", Group = "management" };
        g.Add(Create());
        g.Add(Inspect.CreateFor(Inspect.Volume, "[OPTIONS] VOLUME [VOLUME...]", "Print the full JSON description of volumes"));
        g.Add(List());
        g.Add(Prune());
        g.Add(Remove());
        return g;
    }

    private static CommandSpec Create() => new()
    {
        Name = "create",
        Usage = "[OPTIONS] [VOLUME]",
        Short = "Make a new volume",
        Args = ArgRule.AtMost(1),
        Flags =
        [
            Flag.NotImplemented(Flag.String("availability", "Whether the cluster volume takes new work (\"active\", \"pause\", \"drain\")", "active")),
            Flag.String("d|driver", "Volume driver (local)", "local"),
            Flag.NotImplemented(Flag.String("group", "Group of the cluster volume")),
            Flag.List("label", "Label for the volume"),
            Flag.NotImplemented(Flag.Bytes("limit-bytes", "Smallest size of the cluster volume, in bytes")),
            Flag.String("name", "Name for the volume", hidden: true),
            Flag.List("o|opt", "Options for the driver", "map", "map[]"),
            Flag.NotImplemented(Flag.Bytes("required-bytes", "Largest size of the cluster volume, in bytes")),
            Flag.NotImplemented(Flag.String("scope", "Who may use the cluster volume at once (\"single\", \"multi\")", "single")),
            Flag.NotImplemented(Flag.List("secret", "Secrets for the cluster volume", "map", "map[]")),
            Flag.NotImplemented(Flag.String("sharing", "How nodes share the cluster volume (\"none\", \"readonly\", \"onewriter\", \"all\")", "none")),
            Flag.NotImplemented(Flag.List("topology-preferred", "Topology the cluster volume should preferably be in")),
            Flag.NotImplemented(Flag.List("topology-required", "Topology the cluster volume has to be reachable from")),
            Flag.NotImplemented(Flag.String("type", "How the cluster volume is presented (\"mount\", \"block\")", "block")),
        ],
        Run = async inv =>
        {
            var f = inv.Flags;
            var name = f.String("name");
            if (inv.Args.Count == 1)
            {
                if (name is not null && name != inv.Args[0])
                {
                    throw new CliException($"conflicting options: cannot specify a volume-name through both --name and as a positional arg");
                }

                name = inv.Args[0];
            }

            var body = new JsonObject
            {
                ["Driver"] = f.String("driver") ?? "local",
                ["DriverOpts"] = ContainerOptions.KeyValueMap(f.List("opt")),
                ["Labels"] = ContainerOptions.KeyValueMap(f.List("label")),
                ["Name"] = name ?? string.Empty,
            };
            var result = await inv.Client.PostJsonAsync("/volumes/create", null, body, inv.CancellationToken);
            await inv.Out.WriteLineAsync(Common.Str(result, "Name"));
            return 0;
        },
    };

    private static CommandSpec List() => new()
    {
        Name = "ls",
        Aliases = ["list"],
        Usage = "[OPTIONS]",
        Short = "Show volumes",
        Args = ArgRule.None,
        Flags =
        [
            Flag.NotImplemented(Flag.Bool("cluster", "Show cluster volumes only, in their own columns")),
            Common.FilterFlag("Provide filter values (e.g. \"dangling=true\")"),
            Common.FormatFlag(),
            Flag.Bool("q|quiet", "Print volume names only"),
        ],
        Run = async inv =>
        {
            var f = inv.Flags;
            var result = await inv.Client.GetJsonAsync("/volumes", new EngineQuery().Add("filters", Common.FiltersJson(f.List("filter"))), inv.CancellationToken);
            var format = Common.ListFormat(inv, "volumesFormat", "{{.Name}}", "table {{.Driver}}\t{{.Name}}");
            var rows = Common.Items(result?["Volumes"]).OrderBy(v => Common.Str(v, "Name"), StringComparer.Ordinal).Select(v =>
            {
                var labels = v["Labels"] as JsonObject;
                return (object?)new RowContext("*formatter.volumeContext")
                    .Add("Name", () => Common.Str(v, "Name") ?? string.Empty)
                    .Add("Driver", () => Common.Str(v, "Driver") ?? string.Empty)
                    .Add("Scope", () => Common.Str(v, "Scope") ?? string.Empty)
                    .Add("Mountpoint", () => Common.Str(v, "Mountpoint") ?? string.Empty)
                    .AddLabels(labels)
                    .Add("Links", () => v["UsageData"] is null ? "N/A" : Common.I(Common.Long(v["UsageData"], "RefCount")))
                    .Add("Size", () => v["UsageData"] is null ? "N/A" : Units.HumanSize(Common.Long(v["UsageData"], "Size")))
                    .Add("Availability", () => "N/A")
                    .Add("Group", () => "N/A");
            }).ToList();
            await inv.Out.WriteAsync(FormatRenderer.Render(format, rows, Headers));
            foreach (var w in Common.Strings(result?["Warnings"]))
            {
                await inv.Err.WriteLineAsync(w);
            }

            return 0;
        },
    };

    private static CommandSpec Remove() => new()
    {
        Name = "rm",
        Aliases = ["remove"],
        Usage = "[OPTIONS] VOLUME [VOLUME...]",
        Short = "Delete volumes",
        Long = "Delete volumes. A volume a container still uses is refused.",
        Args = ArgRule.AtLeast(1),
        Flags = [Flag.Bool("f|force", "Succeed even when a volume does not exist")],
        Run = inv => ContainerLifecycle.ForEachAsync(inv, async v =>
        {
            await inv.Client.DeleteAsync($"/volumes/{v}", new EngineQuery().AddBool("force", inv.Flags.Bool("force")), inv.CancellationToken);
            await inv.Out.WriteLineAsync(v);
        }),
    };

    private static CommandSpec Prune() => Pruning.Command(
        "prune",
        "Delete local volumes no container uses",
        [
            Flag.Bool("a|all", "Delete named volumes too, not only anonymous ones"),
            Flag.List("filter", "Filter by condition (e.g. \"label=<label>\")", "filter"),
            Flag.Bool("f|force", "Skip the confirmation question"),
        ],
        inv => inv.Flags.Bool("all") ? "WARNING! This will remove all local volumes not used by at least one container." : "WARNING! This will remove anonymous local volumes not used by at least one container.",
        async inv => await PruneVolumesAsync(inv, inv.Flags.List("filter"), inv.Flags.Bool("all")));

    public static async Task<(string Report, long Space)> PruneVolumesAsync(Invocation inv, IReadOnlyList<string> filters, bool all)
    {
        var list = filters.ToList();
        var version = await inv.Client.GetVersionAsync(inv.CancellationToken);
        if (all && Berth.Api.ApiVersions.Compare(version, "1.42") >= 0)
        {
            list.Add("all=true");
        }

        var result = await inv.Client.PostJsonAsync("/volumes/prune", new EngineQuery().Add("filters", Common.FiltersJson(list)), null, inv.CancellationToken);
        return (Pruning.Section("Deleted Volumes:", Common.Strings(result?["VolumesDeleted"])), Common.Long(result, "SpaceReclaimed"));
    }
}
