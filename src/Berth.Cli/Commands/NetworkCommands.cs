using System.Text;
using System.Text.Json.Nodes;
using Berth.Cli.Formatting;
using Berth.Cli.Parsing;
using Berth.Cli.Templates;
using Berth.Client;

namespace Berth.Cli.Commands;

/// <summary><c>network</c> commands: pass-through to the networks API.</summary>
public static class NetworkCommands
{
    private static readonly IReadOnlyDictionary<string, string> Headers = new Dictionary<string, string>
    {
        ["ID"] = "NETWORK ID",
        ["Name"] = "NAME",
        ["Driver"] = "DRIVER",
        ["Scope"] = "SCOPE",
        ["IPv4"] = "IPV4",
        ["IPv6"] = "IPV6",
        ["Internal"] = "INTERNAL",
        ["Labels"] = "LABELS",
        ["CreatedAt"] = "CREATED AT",
    };

    public static CommandSpec Group()
    {
        var g = new CommandSpec { Name = "network", Short = "Work with networks", Group = "management" };
        g.Add(Connect());
        g.Add(Create());
        g.Add(Disconnect());
        g.Add(Inspect.CreateFor(Inspect.Network, "[OPTIONS] NETWORK [NETWORK...]", "Print the full JSON description of networks"));
        g.Add(List());
        g.Add(Prune());
        g.Add(Remove());
        return g;
    }

    private static CommandSpec Create() => new()
    {
        Name = "create",
        Usage = "[OPTIONS] NETWORK",
        Short = "Make a new network",
        Args = ArgRule.Exactly(1),
        Flags =
        [
            Flag.Bool("attachable", "Let standalone containers join this (swarm) network"),
            Flag.List("aux-address", "Addresses in the subnet that the engine must not hand out", "map", "map[]"),
            Flag.String("config-from", "Network whose configuration this one uses"),
            Flag.Bool("config-only", "Make a network that only holds configuration for others"),
            Flag.String("d|driver", "Network driver (bridge, macvlan, ...)", "bridge"),
            Flag.List("gateway", "Gateway address of the subnet", "strings"),
            Flag.Bool("ingress", "Make the swarm routing-mesh network"),
            Flag.Bool("internal", "Give the network no route to the outside"),
            Flag.List("ip-range", "Hand out container addresses from this part of the subnet only", "strings"),
            Flag.String("ipam-driver", "Address management (IPAM) driver", "default"),
            Flag.List("ipam-opt", "Options for the IPAM driver", "map", "map[]"),
            Flag.Bool("ipv4", "Hand out IPv4 addresses (true/false)", "true"),
            Flag.Bool("ipv6", "Hand out IPv6 addresses (true/false)"),
            Flag.List("label", "Label for the network"),
            Flag.List("o|opt", "Options for the driver", "map", "map[]"),
            Flag.String("scope", "Scope of the network (local, global, swarm)"),
            Flag.List("subnet", "Subnet of the network (CIDR)", "strings"),
        ],
        Run = async inv =>
        {
            var f = inv.Flags;
            var subnets = Split(f.List("subnet"));
            var gateways = Split(f.List("gateway"));
            var ranges = Split(f.List("ip-range"));
            if (gateways.Count > subnets.Count || ranges.Count > subnets.Count)
            {
                throw new CliException(gateways.Count > subnets.Count ? "every ip-range or gateway must have a corresponding subnet" : "every ip-range or gateway must have a corresponding subnet");
            }

            var configs = new JsonArray();
            for (var i = 0; i < subnets.Count; i++)
            {
                var c = new JsonObject { ["Subnet"] = subnets[i] };
                if (i < ranges.Count)
                {
                    c["IPRange"] = ranges[i];
                }

                if (i < gateways.Count)
                {
                    c["Gateway"] = gateways[i];
                }

                configs.Add((JsonNode)c);
            }

            if (f.List("aux-address").Count > 0 && configs.Count > 0)
            {
                configs[0]!["AuxiliaryAddresses"] = ContainerOptions.KeyValueMap(f.List("aux-address"));
            }

            var body = new JsonObject
            {
                ["Name"] = inv.Args[0],
                ["Driver"] = f.String("driver") ?? "bridge",
                ["Scope"] = f.String("scope") ?? string.Empty,
                ["EnableIPv6"] = f.Bool("ipv6"),
                ["IPAM"] = new JsonObject
                {
                    ["Driver"] = f.String("ipam-driver") ?? "default",
                    ["Config"] = configs,
                    ["Options"] = ContainerOptions.KeyValueMap(f.List("ipam-opt")),
                },
                ["Internal"] = f.Bool("internal"),
                ["Attachable"] = f.Bool("attachable"),
                ["Ingress"] = f.Bool("ingress"),
                ["ConfigOnly"] = f.Bool("config-only"),
                ["Options"] = ContainerOptions.KeyValueMap(f.List("opt")),
                ["Labels"] = ContainerOptions.KeyValueMap(f.List("label")),
                ["CheckDuplicate"] = true,
            };
            if (f.IsSet("ipv4"))
            {
                body["EnableIPv4"] = f.Bool("ipv4");
            }

            if (f.String("config-from") is { } from)
            {
                body["ConfigFrom"] = new JsonObject { ["Network"] = from };
            }

            var result = await inv.Client.PostJsonAsync("/networks/create", null, body, inv.CancellationToken);
            if (Common.Str(result, "Warning") is { Length: > 0 } warning)
            {
                await inv.Err.WriteLineAsync("WARNING: " + warning);
            }

            await inv.Out.WriteLineAsync(Common.Str(result, "Id"));
            return 0;
        },
    };

    private static List<string> Split(IReadOnlyList<string> values) =>
        values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();

    private static CommandSpec Connect() => new()
    {
        Name = "connect",
        Usage = "[OPTIONS] NETWORK CONTAINER",
        Short = "Attach a container to a network",
        Args = ArgRule.Exactly(2),
        Flags =
        [
            Flag.List("alias", "Extra DNS name of the container on this network", "strings"),
            Flag.List("driver-opt", "Options for the network driver", "strings"),
            Flag.Int("gw-priority", "Gateway priority: the network with the highest value gives the default route (may be negative)"),
            Flag.String("ip", "Fixed IPv4 address (e.g., \"172.30.100.104\")"),
            Flag.String("ip6", "Fixed IPv6 address (e.g., \"2001:db8::33\")"),
            Flag.List("link", "Legacy link to another container (name:alias)"),
            Flag.List("link-local-ip", "Give the container a link-local address", "strings"),
        ],
        Run = async inv =>
        {
            var f = inv.Flags;
            var endpoint = new JsonObject
            {
                ["IPAMConfig"] = new JsonObject
                {
                    ["IPv4Address"] = f.String("ip") ?? string.Empty,
                    ["IPv6Address"] = f.String("ip6") ?? string.Empty,
                    ["LinkLocalIPs"] = ContainerOptions.ToArray(Split(f.List("link-local-ip"))),
                },
                ["Links"] = ContainerOptions.ToArray(f.List("link")),
                ["Aliases"] = ContainerOptions.ToArray(Split(f.List("alias"))),
                ["DriverOpts"] = ContainerOptions.KeyValueMap(Split(f.List("driver-opt"))),
            };
            if (f.IsSet("gw-priority"))
            {
                endpoint["GwPriority"] = f.Int("gw-priority");
            }

            var body = new JsonObject { ["Container"] = inv.Args[1], ["EndpointConfig"] = endpoint };
            using var r = await inv.Client.SendAsync("POST", $"/networks/{inv.Args[0]}/connect", null, EngineContent.Json(body.ToJsonString()), null, inv.CancellationToken);
            return 0;
        },
    };

    private static CommandSpec Disconnect() => new()
    {
        Name = "disconnect",
        Usage = "[OPTIONS] NETWORK CONTAINER",
        Short = "Detach a container from a network",
        Args = ArgRule.Exactly(2),
        Flags = [Flag.Bool("f|force", "Disconnect even when the engine would refuse")],
        Run = async inv =>
        {
            var body = new JsonObject { ["Container"] = inv.Args[1], ["Force"] = inv.Flags.Bool("force") };
            using var r = await inv.Client.SendAsync("POST", $"/networks/{inv.Args[0]}/disconnect", null, EngineContent.Json(body.ToJsonString()), null, inv.CancellationToken);
            return 0;
        },
    };

    private static CommandSpec List() => new()
    {
        Name = "ls",
        Aliases = ["list"],
        Usage = "[OPTIONS]",
        Short = "Show networks",
        Args = ArgRule.None,
        Flags =
        [
            Common.FilterFlag("Provide filter values (e.g. \"driver=bridge\")"),
            Common.FormatFlag(),
            Flag.Bool("no-trunc", "Print full IDs and commands"),
            Flag.Bool("q|quiet", "Print network IDs only"),
        ],
        Run = async inv =>
        {
            var f = inv.Flags;
            var list = await inv.Client.GetJsonAsync("/networks", new EngineQuery().Add("filters", Common.FiltersJson(f.List("filter"))), inv.CancellationToken);
            var trunc = !f.Bool("no-trunc");
            var format = Common.ListFormat(inv, "networksFormat", "{{.ID}}", "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}");
            var rows = Common.Items(list).OrderBy(n => Common.Str(n, "Name"), StringComparer.Ordinal).Select(n =>
            {
                var labels = n["Labels"] as JsonObject;
                var id = Common.Str(n, "Id") ?? string.Empty;
                return (object?)new RowContext("*network.networkContext")
                    .Add("ID", () => trunc ? Ids.Truncate(id) : id)
                    .Add("Name", () => Common.Str(n, "Name") ?? string.Empty)
                    .Add("Driver", () => Common.Str(n, "Driver") ?? string.Empty)
                    .Add("Scope", () => Common.Str(n, "Scope") ?? string.Empty)
                    .Add("IPv4", () => n["EnableIPv4"] is null || Common.Bool(n, "EnableIPv4") ? "true" : "false")
                    .Add("IPv6", () => Common.Bool(n, "EnableIPv6") ? "true" : "false")
                    .Add("Internal", () => Common.Bool(n, "Internal") ? "true" : "false")
                    .AddLabels(labels)
                    .Add("CreatedAt", () => GoTime.TryParse(Common.Str(n, "Created"), out var t) ? GoTime.ToGoString(t) : string.Empty);
            }).ToList();
            await inv.Out.WriteAsync(FormatRenderer.Render(format, rows, Headers));
            return 0;
        },
    };

    private static CommandSpec Remove() => new()
    {
        Name = "rm",
        Aliases = ["remove"],
        Usage = "NETWORK [NETWORK...]",
        Short = "Delete networks",
        Args = ArgRule.AtLeast(1),
        Flags = [Flag.Bool("f|force", "Succeed when the network is already gone")],
        Run = async inv =>
        {
            var failed = false;
            foreach (var n in inv.Args)
            {
                try
                {
                    await inv.Client.DeleteAsync($"/networks/{n}", null, inv.CancellationToken);
                    await inv.Out.WriteLineAsync(n);
                }
                catch (EngineApiException e) when (e.StatusCode == 404 && inv.Flags.Bool("force"))
                {
                }
                catch (EngineApiException e)
                {
                    inv.Context.FlushOut();
                    await inv.Err.WriteLineAsync("Error response from daemon: " + e.Message);
                    failed = true;
                }
            }

            // docker reports a failed removal with this line after the daemon's message.
            return failed ? throw new CliException("exit status 1") : 0;
        },
    };

    private static CommandSpec Prune() => Pruning.Command(
        "prune",
        "Delete networks no container uses",
        [Flag.List("filter", "Filter by condition (e.g. \"until=<timestamp>\")", "filter"), Flag.Bool("f|force", "Skip the confirmation question")],
        _ => "WARNING! This will remove all custom networks not used by at least one container.",
        async inv => (await PruneNetworksAsync(inv, inv.Flags.List("filter")), null));

    public static async Task<string> PruneNetworksAsync(Invocation inv, IReadOnlyList<string> filters)
    {
        var result = await inv.Client.PostJsonAsync("/networks/prune", new EngineQuery().Add("filters", Common.FiltersJson(filters)), null, inv.CancellationToken);
        return Pruning.Section("Deleted Networks:", Common.Strings(result?["NetworksDeleted"]));
    }
}
