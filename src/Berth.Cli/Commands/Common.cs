using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Cli.Parsing;

namespace Berth.Cli.Commands;

/// <summary>Helpers shared by commands: filters, JSON access, common flags.</summary>
public static class Common
{
    public const string FormatUsage = "Shape of the output:\n'table':            a table with a header line (default)\n'table TEMPLATE':   a table whose columns a Go template gives\n'json':             one JSON object per line\n'TEMPLATE':         a Go template per item.\nTemplates work as in Docker: https://docs.docker.com/go/formatting/";

    public const string InspectFormatUsage = "Shape of the output:\n'json':             JSON\n'TEMPLATE':         a Go template per object.\nTemplates work as in Docker: https://docs.docker.com/go/formatting/";

    public static FlagSpec FormatFlag(bool inspect = false, bool shorthand = true) =>
        Flag.String(inspect && shorthand ? "f|format" : "format", inspect ? InspectFormatUsage : FormatUsage);

    /// <summary>
    /// The format of a list command as docker picks it: --format, else the config file's
    /// <paramref name="configKey"/> (not with -q), else "table"; "table" stands for the default
    /// columns, or for the IDs alone with -q.
    /// </summary>
    public static string ListFormat(Invocation inv, string configKey, string quietTemplate, string tableTemplate)
    {
        var quiet = inv.Flags.Bool("quiet");
        var format = inv.Flags.String("format") ?? (quiet ? null : inv.Context.Config.GetString(configKey)) ?? "table";
        return format switch
        {
            "table" when quiet => quietTemplate,
            "table" => tableTemplate,
            _ => format,
        };
    }

    public static FlagSpec FilterFlag(string usage = "Show only what matches a condition (key=value)") => Flag.List("f|filter", usage, "filter");

    /// <summary>Docker's filters.Args JSON: <c>{"key":{"value":true}}</c>; null when there are none.</summary>
    public static string? FiltersJson(IReadOnlyList<string> filters)
    {
        if (filters.Count == 0)
        {
            return null;
        }

        var map = new SortedDictionary<string, SortedSet<string>>(StringComparer.Ordinal);
        foreach (var f in filters)
        {
            var eq = f.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                throw new CliException($"invalid argument \"{f}\" for \"-f, --filter\" flag: bad format of filter (expected name=value)", 125);
            }

            var key = f[..eq].Trim().ToLowerInvariant();
            var value = f[(eq + 1)..].Trim();
            if (!map.TryGetValue(key, out var set))
            {
                set = new SortedSet<string>(StringComparer.Ordinal);
                map[key] = set;
            }

            set.Add(value);
        }

        var o = new JsonObject();
        foreach (var kv in map)
        {
            var inner = new JsonObject();
            foreach (var v in kv.Value)
            {
                inner[v] = true;
            }

            o[kv.Key] = inner;
        }

        return o.ToJsonString();
    }

    public static string? Str(JsonNode? node, string key) =>
        node?[key] is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null;

    public static long Long(JsonNode? node, string key)
    {
        if (node?[key] is JsonValue v && v.GetValueKind() == JsonValueKind.Number)
        {
            return v.TryGetValue<long>(out var l) ? l : (long)v.GetValue<double>();
        }

        return 0;
    }

    public static bool Bool(JsonNode? node, string key) =>
        node?[key] is JsonValue v && v.GetValueKind() == JsonValueKind.True;

    public static IEnumerable<JsonNode> Items(JsonNode? node) =>
        node is JsonArray a ? a.Where(x => x is not null).Select(x => x!) : [];

    public static IEnumerable<string> Strings(JsonNode? node) =>
        node is JsonArray a ? a.Select(x => x is JsonValue v && v.GetValueKind() == JsonValueKind.String ? v.GetValue<string>() : null).Where(x => x is not null).Select(x => x!) : [];

    /// <summary>docker's json.MarshalIndent of raw elements (4 spaces), as inspect prints them.</summary>
    public static string IndentJsonArray(IReadOnlyList<JsonNode?> elements)
    {
        if (elements.Count == 0)
        {
            return "[]";
        }

        var sb = new StringBuilder("[\n");
        for (var i = 0; i < elements.Count; i++)
        {
            sb.Append("    ");
            WriteIndented(sb, elements[i], 1);
            sb.Append(i + 1 < elements.Count ? ",\n" : "\n");
        }

        return sb.Append(']').ToString();
    }

    public static void WriteIndented(StringBuilder sb, JsonNode? node, int depth)
    {
        switch (node)
        {
            case null:
                sb.Append("null");
                break;
            case JsonObject o:
                if (o.Count == 0)
                {
                    sb.Append("{}");
                    break;
                }

                sb.Append("{\n");
                var i = 0;
                foreach (var kv in o)
                {
                    sb.Append(' ', (depth + 1) * 4);
                    Templates.GoValues.WriteJsonString(sb, kv.Key, escapeHtml: true);
                    sb.Append(": ");
                    WriteIndented(sb, kv.Value, depth + 1);
                    sb.Append(++i < o.Count ? ",\n" : "\n");
                }

                sb.Append(' ', depth * 4).Append('}');
                break;
            case JsonArray a:
                if (a.Count == 0)
                {
                    sb.Append("[]");
                    break;
                }

                sb.Append("[\n");
                for (var k = 0; k < a.Count; k++)
                {
                    sb.Append(' ', (depth + 1) * 4);
                    WriteIndented(sb, a[k], depth + 1);
                    sb.Append(k + 1 < a.Count ? ",\n" : "\n");
                }

                sb.Append(' ', depth * 4).Append(']');
                break;
            case JsonValue v:
                if (v.GetValueKind() == JsonValueKind.String)
                {
                    Templates.GoValues.WriteJsonString(sb, v.GetValue<string>(), escapeHtml: true);
                }
                else
                {
                    sb.Append(v.ToJsonString());
                }

                break;
        }
    }

    public static string I(long v) => v.ToString(CultureInfo.InvariantCulture);

    /// <summary>Reads the "key=value" lines of an --env-file / --label-file (docker's opts.ParseEnvFile).</summary>
    public static List<string> ReadKeyValueFile(string path, bool env)
    {
        var result = new List<string>();
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (IOException e)
        {
            throw new CliException($"open {path}: {e.Message}", 125);
        }
        catch (UnauthorizedAccessException)
        {
            throw new CliException($"open {path}: permission denied", 125);
        }

        foreach (var raw in lines)
        {
            var line = raw.TrimStart();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var eq = line.IndexOf('=', StringComparison.Ordinal);
            var key = eq >= 0 ? line[..eq] : line;
            if (key.Contains(' ', StringComparison.Ordinal) || key.Contains('\t', StringComparison.Ordinal))
            {
                throw new CliException($"variable '{key}' contains whitespaces", 125);
            }

            if (eq >= 0)
            {
                result.Add(line);
            }
            else if (env)
            {
                var value = Environment.GetEnvironmentVariable(line);
                if (value is not null)
                {
                    result.Add(line + "=" + value);
                }
            }
            else
            {
                result.Add(line);
            }
        }

        return result;
    }
}
