using System.Text.Json.Nodes;

namespace Berth.Cli.Formatting;

/// <summary>docker's DisplayablePorts: consecutive ports grouped into ranges, host mappings last.</summary>
public static class Ports
{
    public static string Display(JsonNode? ports)
    {
        var list = new List<(int Private, int Public, string Type, string Ip)>();
        if (ports is JsonArray a)
        {
            foreach (var p in a)
            {
                if (p is null)
                {
                    continue;
                }

                list.Add(((int)Commands.Common.Long(p, "PrivatePort"), (int)Commands.Common.Long(p, "PublicPort"), Commands.Common.Str(p, "Type") ?? "tcp", Commands.Common.Str(p, "IP") ?? string.Empty));
            }
        }

        list.Sort((x, y) =>
        {
            if (x.Private != y.Private)
            {
                return x.Private.CompareTo(y.Private);
            }

            if (x.Ip != y.Ip)
            {
                return string.CompareOrdinal(x.Ip, y.Ip);
            }

            return x.Public != y.Public ? x.Public.CompareTo(y.Public) : string.CompareOrdinal(x.Type, y.Type);
        });

        var groups = new Dictionary<string, (int First, int Last)>();
        var order = new List<string>();
        var result = new List<string>();
        var hostMappings = new List<string>();
        foreach (var p in list)
        {
            var key = p.Type;
            if (p.Ip.Length > 0)
            {
                if (p.Public != p.Private)
                {
                    hostMappings.Add($"{JoinHostPort(p.Ip, p.Public)}->{p.Private}/{p.Type}");
                    continue;
                }

                key = p.Ip + "/" + p.Type;
            }

            if (!groups.TryGetValue(key, out var g))
            {
                groups[key] = (p.Private, p.Private);
                order.Add(key);
                continue;
            }

            if (p.Private == g.Last + 1)
            {
                groups[key] = (g.First, p.Private);
                continue;
            }

            result.Add(FormGroup(key, g.First, g.Last));
            groups[key] = (p.Private, p.Private);
        }

        foreach (var key in order)
        {
            var g = groups[key];
            result.Add(FormGroup(key, g.First, g.Last));
        }

        result.AddRange(hostMappings);
        return string.Join(", ", result);
    }

    private static string FormGroup(string key, int first, int last)
    {
        var slash = key.LastIndexOf('/');
        var type = key;
        var ip = string.Empty;
        if (slash >= 0)
        {
            ip = key[..slash];
            type = key[(slash + 1)..];
        }

        var group = first == last ? first.ToString(System.Globalization.CultureInfo.InvariantCulture) : $"{first}-{last}";
        if (ip.Length > 0)
        {
            group = $"{ip}:{group}->{group}";
        }

        return group + "/" + type;
    }

    private static string JoinHostPort(string ip, int port)
    {
        var host = ip.Contains(':', StringComparison.Ordinal) ? "[" + ip + "]" : ip;
        return host + ":" + port.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }
}
