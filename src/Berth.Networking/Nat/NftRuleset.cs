using System.Globalization;
using System.Text;
using Berth.Networking.Model;

namespace Berth.Networking.Nat;

/// <summary>
/// Berth's nftables table (one per daemon, "ip berth" by default), generated as text:
/// <list type="bullet">
/// <item>published ports: DNAT maps keyed by host port (any address) or host address . port,
/// consulted for packets to local addresses in prerouting (from outside/containers) and output
/// (from the host itself, 127.0.0.1 included: bridges get route_localnet=1);</item>
/// <item>masquerade: outbound traffic of non-internal networks, loopback-sourced traffic to
/// published ports, and hairpin (DNAT'ed traffic leaving through a bridge);</item>
/// <item>filter: internal networks reach only their own bridge, different networks cannot talk
/// to each other except through published ports.</item>
/// </list>
/// Network changes replace the whole table in one atomic batch; container ports are map elements
/// added and deleted without touching the rules.
/// </summary>
public static class NftRuleset
{
    private static readonly string[] Protocols = ["tcp", "udp"];

    /// <summary>A batch that atomically replaces the table with one generated from the given state.</summary>
    public static string Replace(string table, IReadOnlyList<NatNetwork> networks, IEnumerable<PublishedPort> ports)
    {
        var sb = new StringBuilder();
        sb.Append("table ip ").Append(table).Append(" {}\n");
        sb.Append("delete table ip ").Append(table).Append('\n');
        sb.Append(Table(table, networks, ports));
        return sb.ToString();
    }

    /// <summary>Deletes the table (idempotent).</summary>
    public static string Delete(string table) => $"table ip {table} {{}}\ndelete table ip {table}\n";

    public static string Table(string table, IReadOnlyList<NatNetwork> networks, IEnumerable<PublishedPort> ports)
    {
        var portList = ports.ToList();
        var sb = new StringBuilder();
        sb.Append("table ip ").Append(table).Append(" {\n");

        sb.Append("\tset bridges {\n\t\ttype ifname\n");
        if (networks.Count > 0)
        {
            sb.Append("\t\telements = { ").Append(string.Join(", ", networks.Select(n => Quote(n.Bridge)))).Append(" }\n");
        }

        sb.Append("\t}\n\n");

        foreach (var proto in Protocols)
        {
            AppendMap(sb, $"{proto}-any", "inet_service", portList.Where(p => p.Protocol == proto && p.HostIp == "0.0.0.0").Select(p => $"{Num(p.HostPort)} : {p.ContainerIp} . {Num(p.ContainerPort)}"));
            AppendMap(sb, $"{proto}-ip", "ipv4_addr . inet_service", portList.Where(p => p.Protocol == proto && p.HostIp != "0.0.0.0").Select(p => $"{p.HostIp} . {Num(p.HostPort)} : {p.ContainerIp} . {Num(p.ContainerPort)}"));
        }

        sb.Append("\tchain prerouting {\n\t\ttype nat hook prerouting priority dstnat; policy accept;\n\t\tfib daddr type local jump ports\n\t}\n\n");
        sb.Append("\tchain output {\n\t\ttype nat hook output priority -100; policy accept;\n\t\tfib daddr type local jump ports\n\t}\n\n");
        sb.Append("\tchain ports {\n");
        foreach (var proto in Protocols)
        {
            sb.Append("\t\tdnat ip to ip daddr . ").Append(proto).Append(" dport map @").Append(proto).Append("-ip\n");
            sb.Append("\t\tdnat ip to ").Append(proto).Append(" dport map @").Append(proto).Append("-any\n");
        }

        sb.Append("\t}\n\n");

        sb.Append("\tchain postrouting {\n\t\ttype nat hook postrouting priority srcnat; policy accept;\n");
        sb.Append("\t\toifname @bridges ip saddr 127.0.0.0/8 masquerade\n");
        foreach (var n in networks)
        {
            sb.Append("\t\toifname ").Append(Quote(n.Bridge)).Append(" ct status dnat ip saddr ").Append(n.Subnet).Append(" masquerade\n");
            if (!n.Internal && n.Masquerade)
            {
                sb.Append("\t\tip saddr ").Append(n.Subnet).Append(" oifname != ").Append(Quote(n.Bridge)).Append(" masquerade\n");
            }
        }

        sb.Append("\t}\n\n");

        sb.Append("\tchain forward {\n\t\ttype filter hook forward priority filter; policy accept;\n");
        foreach (var n in networks.Where(n => n.Internal))
        {
            sb.Append("\t\tiifname ").Append(Quote(n.Bridge)).Append(" oifname != ").Append(Quote(n.Bridge)).Append(" drop\n");
            sb.Append("\t\toifname ").Append(Quote(n.Bridge)).Append(" iifname != ").Append(Quote(n.Bridge)).Append(" drop\n");
        }

        sb.Append("\t\tct status dnat accept\n");
        foreach (var n in networks.Where(n => !n.Internal))
        {
            sb.Append("\t\tiifname ").Append(Quote(n.Bridge)).Append(" oifname @bridges oifname != ").Append(Quote(n.Bridge)).Append(" drop\n");
        }

        sb.Append("\t}\n}\n");
        return sb.ToString();
    }

    /// <summary>Adds the DNAT map elements of published ports.</summary>
    public static string AddPorts(string table, IEnumerable<PublishedPort> ports) =>
        string.Concat(ports.Select(p => p.HostIp == "0.0.0.0"
            ? $"add element ip {table} {p.Protocol}-any {{ {Num(p.HostPort)} : {p.ContainerIp} . {Num(p.ContainerPort)} }}\n"
            : $"add element ip {table} {p.Protocol}-ip {{ {p.HostIp} . {Num(p.HostPort)} : {p.ContainerIp} . {Num(p.ContainerPort)} }}\n"));

    /// <summary>Deletes the DNAT map elements of published ports (fails if one is missing: callers then rebuild).</summary>
    public static string RemovePorts(string table, IEnumerable<PublishedPort> ports) =>
        string.Concat(ports.Select(p => p.HostIp == "0.0.0.0"
            ? $"delete element ip {table} {p.Protocol}-any {{ {Num(p.HostPort)} }}\n"
            : $"delete element ip {table} {p.Protocol}-ip {{ {p.HostIp} . {Num(p.HostPort)} }}\n"));

    private static void AppendMap(StringBuilder sb, string name, string keyType, IEnumerable<string> elements)
    {
        sb.Append("\tmap ").Append(name).Append(" {\n\t\ttype ").Append(keyType).Append(" : ipv4_addr . inet_service\n");
        var list = elements.ToList();
        if (list.Count > 0)
        {
            sb.Append("\t\telements = { ").Append(string.Join(",\n\t\t\t     ", list)).Append(" }\n");
        }

        sb.Append("\t}\n\n");
    }

    /// <summary>
    /// An interface name as an nftables string. nft has no escape for a quote inside a string, so
    /// a name that could end the string is never written: names are validated where they enter
    /// (the API, the daemon's flags), and this is the last guard.
    /// </summary>
    private static string Quote(string ifname) =>
        Berth.Core.Model.InterfaceName.Problem(ifname) is { } problem
            ? throw new ArgumentException($"interface name \"{ifname}\" cannot be written into the ruleset: {problem}", nameof(ifname))
            : $"\"{ifname}\"";

    private static string Num(int n) => n.ToString(CultureInfo.InvariantCulture);
}
