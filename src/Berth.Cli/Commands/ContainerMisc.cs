using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Berth.Cli.Formatting;
using Berth.Cli.Parsing;
using Berth.Client;

namespace Berth.Cli.Commands;

/// <summary>top, port, diff, commit, update, container prune.</summary>
public static class ContainerMisc
{
    public static CommandSpec Top(string name) => new()
    {
        Name = name,
        Usage = "CONTAINER [ps OPTIONS]",
        Short = "List the processes inside a container",
        AliasPaths = ["container top", "top"],
        Interspersed = false,
        Args = ArgRule.AtLeast(1),
        Run = async inv =>
        {
            var q = new EngineQuery().AddIf(inv.Args.Count > 1, "ps_args", string.Join(" ", inv.Args.Skip(1)));
            var top = await inv.Client.GetJsonAsync($"/containers/{inv.Args[0]}/top", q, inv.CancellationToken);
            var sb = new StringBuilder();
            sb.Append(string.Join("\t", Common.Strings(top?["Titles"]))).Append('\n');
            foreach (var p in Common.Items(top?["Processes"]))
            {
                sb.Append(string.Join("\t", Common.Strings(p))).Append('\n');
            }

            await inv.Out.WriteAsync(TabWriter.Format(sb.ToString(), 20, 3));
            return 0;
        },
    };

    public static CommandSpec Port(string name) => new()
    {
        Name = name,
        Usage = "CONTAINER [PRIVATE_PORT[/PROTO]]",
        Short = "Show which host ports lead to a container's ports",
        AliasPaths = ["container port", "port"],
        Args = ArgRule.Range(1, 2),
        Run = async inv =>
        {
            var info = await inv.Client.GetJsonAsync($"/containers/{inv.Args[0]}/json", null, inv.CancellationToken);
            var ports = info?["NetworkSettings"]?["Ports"] as JsonObject;
            var lines = new List<string>();
            if (inv.Args.Count == 2)
            {
                var spec = inv.Args[1];
                var proto = "tcp";
                var slash = spec.IndexOf('/', StringComparison.Ordinal);
                if (slash >= 0)
                {
                    proto = spec[(slash + 1)..];
                    spec = spec[..slash];
                }

                var key = spec + "/" + proto;
                if (ports?[key] is JsonArray bindings && bindings.Count > 0)
                {
                    foreach (var b in bindings)
                    {
                        lines.Add(HostPort(b));
                    }

                    await inv.Out.WriteAsync(string.Concat(lines.Select(l => l + "\n")));
                    return 0;
                }

                throw new CliException($"Error: No public port '{inv.Args[1]}' published for {inv.Args[0]}");
            }

            if (ports is not null)
            {
                foreach (var kv in ports)
                {
                    if (kv.Value is JsonArray bindings)
                    {
                        foreach (var b in bindings)
                        {
                            lines.Add($"{kv.Key} -> {HostPort(b)}");
                        }
                    }
                }
            }

            lines.Sort(ComparePortLines);
            await inv.Out.WriteAsync(string.Concat(lines.Select(l => l + "\n")));
            return 0;
        },
    };

    private static int ComparePortLines(string a, string b)
    {
        static (int, string) Key(string s)
        {
            var slash = s.IndexOf('/', StringComparison.Ordinal);
            return (int.TryParse(s.AsSpan(0, Math.Max(0, slash)), CultureInfo.InvariantCulture, out var p) ? p : 0, s);
        }

        var (pa, sa) = Key(a);
        var (pb, sb) = Key(b);
        return pa != pb ? pa.CompareTo(pb) : string.CompareOrdinal(sa, sb);
    }

    private static string HostPort(JsonNode? binding)
    {
        var ip = Common.Str(binding, "HostIp") ?? string.Empty;
        if (ip.Length == 0)
        {
            ip = "0.0.0.0";
        }

        var port = Common.Str(binding, "HostPort") ?? string.Empty;
        return (ip.Contains(':', StringComparison.Ordinal) ? "[" + ip + "]" : ip) + ":" + port;
    }

    public static CommandSpec Diff(string name) => new()
    {
        Name = name,
        Usage = "CONTAINER",
        Short = "List files added, changed or deleted in a container since it was made",
        AliasPaths = ["container diff", "diff"],
        Args = ArgRule.Exactly(1),
        Run = async inv =>
        {
            var changes = await inv.Client.GetJsonAsync($"/containers/{inv.Args[0]}/changes", null, inv.CancellationToken);
            var sb = new StringBuilder();
            foreach (var c in Common.Items(changes))
            {
                var kind = Common.Long(c, "Kind") switch
                {
                    0 => "C",
                    1 => "A",
                    2 => "D",
                    _ => "?",
                };
                sb.Append(kind).Append(' ').Append(Common.Str(c, "Path")).Append('\n');
            }

            await inv.Out.WriteAsync(sb.ToString());
            return 0;
        },
    };

    public static CommandSpec Commit(string name) => new()
    {
        Name = name,
        Usage = "[OPTIONS] CONTAINER [REPOSITORY[:TAG]]",
        Short = "Save a container's filesystem changes as a new image",
        AliasPaths = ["container commit", "commit"],
        Args = ArgRule.Range(1, 2),
        Flags =
        [
            Flag.String("a|author", "Author of the new image (e.g., \"Ada Lovelace <ada@example.com>\")"),
            Flag.List("c|change", "Dockerfile instruction to apply to the new image"),
            Flag.String("m|message", "Message recorded with the new image"),
            Flag.Bool("p|pause", "Freeze the container while its changes are saved", "true"),
        ],
        Run = async inv =>
        {
            var f = inv.Flags;
            var q = new EngineQuery().Add("container", inv.Args[0])
                .Add("comment", f.String("message")).Add("author", f.String("author"))
                .Add("pause", f.Bool("pause", true) ? "1" : "0");
            if (inv.Args.Count == 2)
            {
                var r = ImageReference.TryParse(inv.Args[1], out var error) ?? throw new CliException(error ?? "invalid reference format");
                q.Add("repo", r.FamiliarName).Add("tag", r.Tag ?? string.Empty);
            }

            foreach (var c in f.List("change"))
            {
                q.Add("changes", c);
            }

            var result = await inv.Client.PostJsonAsync("/commit", q, null, inv.CancellationToken);
            await inv.Out.WriteLineAsync(Common.Str(result, "Id"));
            return 0;
        },
    };

    public static CommandSpec Update(string name) => new()
    {
        Name = name,
        Usage = "[OPTIONS] CONTAINER [CONTAINER...]",
        Short = "Change resource limits and the restart policy of containers",
        AliasPaths = ["container update", "update"],
        Args = ArgRule.AtLeast(1),
        Flags =
        [
            Flag.UInt("blkio-weight", "Block I/O weight, 10 to 1000 (0 turns it off)", "0", "uint16"),
            Flag.Int("cpu-period", "CFS scheduler period, in microseconds"),
            Flag.Int("cpu-quota", "CFS scheduler quota per period, in microseconds"),
            Flag.Int("cpu-rt-period", "Real-time scheduler period, in microseconds"),
            Flag.Int("cpu-rt-runtime", "Real-time scheduler runtime per period, in microseconds"),
            Flag.Int("c|cpu-shares", "Relative CPU weight"),
            Flag.Decimal("cpus", "CPUs the container may use (may be fractional)"),
            Flag.String("cpuset-cpus", "CPUs the container may run on (0-3, 0,1)"),
            Flag.String("cpuset-mems", "Memory nodes the container may use (0-3, 0,1)"),
            Flag.Bytes("kernel-memory", "Kernel memory limit (deprecated; ignored by recent kernels)") with { Hidden = true },
            Flag.Bytes("m|memory", "Most memory the container may use"),
            Flag.Bytes("memory-reservation", "Memory the container is pushed back to under pressure"),
            Flag.Bytes("memory-swap", "Memory plus swap limit (-1 for unlimited swap)"),
            Flag.Int("pids-limit", "Most processes the container may have (-1 for no limit)"),
            Flag.String("restart", "What to do when the container exits (no, always, on-failure[:N], unless-stopped)"),
        ],
        Run = inv =>
        {
            var f = inv.Flags;
            if (!f.SetNames.Any())
            {
                throw new CliException("you must provide one or more flags when using this command");
            }

            var body = new JsonObject();
            void Int(string flag, string key)
            {
                if (f.IsSet(flag))
                {
                    body[key] = f.Int(flag);
                }
            }

            void Bytes(string flag, string key)
            {
                if (f.IsSet(flag))
                {
                    body[key] = f.Bytes(flag);
                }
            }

            Int("blkio-weight", "BlkioWeight");
            Int("cpu-period", "CpuPeriod");
            Int("cpu-quota", "CpuQuota");
            Int("cpu-rt-period", "CpuRealtimePeriod");
            Int("cpu-rt-runtime", "CpuRealtimeRuntime");
            Int("cpu-shares", "CpuShares");
            if (f.String("cpus") is { } cpus)
            {
                body["NanoCpus"] = (long)(decimal.Parse(cpus, CultureInfo.InvariantCulture) * 1_000_000_000m);
            }

            if (f.String("cpuset-cpus") is { } cc)
            {
                body["CpusetCpus"] = cc;
            }

            if (f.String("cpuset-mems") is { } cm)
            {
                body["CpusetMems"] = cm;
            }

            Bytes("kernel-memory", "KernelMemory");
            Bytes("memory", "Memory");
            Bytes("memory-reservation", "MemoryReservation");
            Bytes("memory-swap", "MemorySwap");
            Int("pids-limit", "PidsLimit");
            if (f.String("restart") is { } restart)
            {
                body["RestartPolicy"] = ContainerOptions.RestartPolicy(restart);
            }

            return ContainerLifecycle.ForEachAsync(inv, async c =>
            {
                var result = await inv.Client.PostJsonAsync($"/containers/{c}/update", null, JsonNode.Parse(body.ToJsonString()), inv.CancellationToken);
                foreach (var w in Common.Strings(result?["Warnings"]))
                {
                    await inv.Err.WriteLineAsync("WARNING: " + w);
                }

                await inv.Out.WriteLineAsync(c);
            });
        },
    };

    public static CommandSpec Prune(string name) => Pruning.Command(
        name,
        "Delete every stopped container",
        [Flag.List("filter", "Filter by condition (e.g. \"until=<timestamp>\")", "filter"), Flag.Bool("f|force", "Skip the confirmation question")],
        _ => "WARNING! This will remove all stopped containers.",
        async inv => await PruneContainersAsync(inv, inv.Flags.List("filter")));

    public static async Task<(string Report, long Space)> PruneContainersAsync(Invocation inv, IReadOnlyList<string> filters)
    {
        var result = await inv.Client.PostJsonAsync("/containers/prune", new EngineQuery().Add("filters", Common.FiltersJson(filters)), null, inv.CancellationToken);
        return (Pruning.Section("Deleted Containers:", Common.Strings(result?["ContainersDeleted"])), Common.Long(result, "SpaceReclaimed"));
    }
}
