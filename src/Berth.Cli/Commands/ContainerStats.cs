using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Cli.Formatting;
using Berth.Cli.Parsing;
using Berth.Client;

namespace Berth.Cli.Commands;

/// <summary><c>stats</c>: one snapshot (--no-stream) or a table refreshed every second.</summary>
public static class ContainerStats
{
    private const string DefaultFormat = "table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t{{.BlockIO}}\t{{.PIDs}}";

    private static readonly IReadOnlyDictionary<string, string> Headers = new Dictionary<string, string>
    {
        ["Container"] = "CONTAINER",
        ["ID"] = "CONTAINER ID",
        ["Name"] = "NAME",
        ["CPUPerc"] = "CPU %",
        ["MemUsage"] = "MEM USAGE / LIMIT",
        ["MemPerc"] = "MEM %",
        ["NetIO"] = "NET I/O",
        ["BlockIO"] = "BLOCK I/O",
        ["PIDs"] = "PIDS",
    };

    public static CommandSpec Create(string name) => new()
    {
        Name = name,
        Usage = "[OPTIONS] [CONTAINER...]",
        Short = "Show CPU, memory, network and block I/O use of containers as it happens",
        AliasPaths = ["container stats", "stats"],
        Flags =
        [
            Flag.Bool("a|all", "Include stopped containers"),
            Common.FormatFlag(),
            Flag.Bool("no-stream", "Print one sample and exit"),
            Flag.Bool("no-trunc", "Print full IDs and commands"),
        ],
        Run = RunAsync,
    };

    private static async Task<int> RunAsync(Invocation inv)
    {
        var f = inv.Flags;
        var format = f.String("format") ?? inv.Context.Config.StatsFormat ?? "table";
        if (format == "table")
        {
            format = DefaultFormat;
        }

        var trunc = !f.Bool("no-trunc");
        var noStream = f.Bool("no-stream");
        while (true)
        {
            List<(string Arg, string Id)> targets;
            if (inv.Args.Count > 0)
            {
                targets = inv.Args.Select(a => (a, a)).ToList();
            }
            else
            {
                var list = await inv.Client.GetJsonAsync("/containers/json", new EngineQuery().AddBool("all", f.Bool("all")), inv.CancellationToken);
                targets = Common.Items(list).Select(c => (Common.Str(c, "Id")!, Common.Str(c, "Id")!)).ToList();
            }

            var tasks = targets.Select(t => SampleAsync(inv, t.Arg, t.Id, trunc)).ToList();
            var rows = new List<object?>();
            var errors = new List<string>();
            foreach (var t in tasks)
            {
                try
                {
                    rows.Add(await t);
                }
                catch (EngineApiException e)
                {
                    errors.Add("Error response from daemon: " + e.Message);
                }
            }

            if (errors.Count > 0 && inv.Args.Count > 0)
            {
                throw new CliException(string.Join("\n", errors));
            }

            var text = FormatRenderer.Render(format, rows, Headers);
            if (noStream)
            {
                await inv.Out.WriteAsync(text);
                return 0;
            }

            // Streaming: redraw in place on a terminal, append otherwise.
            if (inv.Context.StdoutIsTerminal)
            {
                await inv.Out.WriteAsync("\u001b[2J\u001b[H");
            }

            await inv.Out.WriteAsync(text);
            await inv.Out.FlushAsync(inv.CancellationToken);
            await Task.Delay(TimeSpan.FromSeconds(1), inv.Context.Clock, inv.CancellationToken);
        }
    }

    private static async Task<RowContext> SampleAsync(Invocation inv, string arg, string id, bool trunc)
    {
        var s = await inv.Client.GetJsonAsync($"/containers/{id}/stats", new EngineQuery().Add("stream", "0"), inv.CancellationToken);
        var name = (Common.Str(s, "name") ?? string.Empty).TrimStart('/');
        var fullId = Common.Str(s, "id") ?? id;
        var cpu = s?["cpu_stats"];
        var pre = s?["precpu_stats"];
        var cpuDelta = (double)(Common.Long(cpu?["cpu_usage"], "total_usage") - Common.Long(pre?["cpu_usage"], "total_usage"));
        var systemDelta = (double)(Common.Long(cpu, "system_cpu_usage") - Common.Long(pre, "system_cpu_usage"));
        var online = Common.Long(cpu, "online_cpus");
        if (online == 0)
        {
            online = (cpu?["cpu_usage"]?["percpu_usage"] as JsonArray)?.Count ?? 0;
        }

        var cpuPercent = systemDelta > 0 && cpuDelta > 0 ? cpuDelta / systemDelta * online * 100.0 : 0;
        var mem = s?["memory_stats"];
        var usage = Common.Long(mem, "usage");
        var stats = mem?["stats"];
        foreach (var key in new[] { "total_inactive_file", "inactive_file" })
        {
            if (stats?[key] is not null)
            {
                var v = Common.Long(stats, key);
                if (v < usage)
                {
                    usage -= v;
                }

                break;
            }
        }

        var limit = Common.Long(mem, "limit");
        var memPercent = limit != 0 ? (double)usage / limit * 100.0 : 0;
        long rx = 0, tx = 0;
        if (s?["networks"] is JsonObject nets)
        {
            foreach (var kv in nets)
            {
                rx += Common.Long(kv.Value, "rx_bytes");
                tx += Common.Long(kv.Value, "tx_bytes");
            }
        }

        long read = 0, write = 0;
        foreach (var e in Common.Items(s?["blkio_stats"]?["io_service_bytes_recursive"]))
        {
            var op = (Common.Str(e, "op") ?? string.Empty).ToLowerInvariant();
            if (op == "read")
            {
                read += Common.Long(e, "value");
            }
            else if (op == "write")
            {
                write += Common.Long(e, "value");
            }
        }

        var pids = Common.Long(s?["pids_stats"], "current");
        return new RowContext("*formatter.statsContext")
            .Add("Container", () => arg)
            .Add("Name", () => name.Length == 0 ? "--" : name)
            .Add("ID", () => trunc ? Ids.Truncate(fullId) : fullId)
            .Add("CPUPerc", () => cpuPercent.ToString("F2", CultureInfo.InvariantCulture) + "%")
            .Add("MemUsage", () => Units.BytesSize(usage) + " / " + Units.BytesSize(limit))
            .Add("NetIO", () => Units.HumanSize(rx, 3) + " / " + Units.HumanSize(tx, 3))
            .Add("BlockIO", () => Units.HumanSize(read, 3) + " / " + Units.HumanSize(write, 3))
            .Add("MemPerc", () => memPercent.ToString("F2", CultureInfo.InvariantCulture) + "%")
            .Add("PIDs", () => Common.I(pids));
    }
}
