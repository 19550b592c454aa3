using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Cli.Parsing;

namespace Berth.Cli.Commands;

/// <summary>docker's <c>--mount</c> CSV syntax to an API Mount object.</summary>
public static class MountSpec
{
    public static JsonNode Parse(string spec)
    {
        var m = new JsonObject();
        string type = "volume";
        JsonObject? bind = null;
        JsonObject? volume = null;
        JsonObject? tmpfs = null;
        JsonObject Volume() => volume ??= [];
        JsonObject Bind() => bind ??= [];
        JsonObject Tmpfs() => tmpfs ??= [];

        foreach (var field in SplitCsv(spec))
        {
            var eq = field.IndexOf('=', StringComparison.Ordinal);
            var key = (eq < 0 ? field : field[..eq]).ToLowerInvariant();
            var value = eq < 0 ? null : field[(eq + 1)..];
            if (value is null && key is not ("readonly" or "ro" or "volume-nocopy" or "bind-nonrecursive" or "bind-create-mountpoint"))
            {
                throw Error(spec, $"invalid field '{field}' must be a key=value pair");
            }

            switch (key)
            {
                case "type":
                    type = value!;
                    break;
                case "source" or "src":
                    m["Source"] = value;
                    break;
                case "target" or "dst" or "destination":
                    m["Target"] = value;
                    break;
                case "readonly" or "ro":
                    m["ReadOnly"] = ParseBool(spec, key, value);
                    break;
                case "consistency":
                    m["Consistency"] = value;
                    break;
                case "bind-propagation":
                    Bind()["Propagation"] = value;
                    break;
                case "bind-nonrecursive":
                    Bind()["NonRecursive"] = ParseBool(spec, key, value);
                    break;
                case "bind-recursive":
                    switch (value)
                    {
                        case "enabled": break;
                        case "disabled": Bind()["NonRecursive"] = true; break;
                        case "writable": Bind()["ReadOnlyNonRecursive"] = true; break;
                        case "readonly": Bind()["ReadOnlyForceRecursive"] = true; break;
                        default: throw Error(spec, $"invalid value for {key}: {value} (must be \"enabled\", \"disabled\", \"writable\", or \"readonly\")");
                    }

                    break;
                case "bind-create-mountpoint":
                    Bind()["CreateMountpoint"] = ParseBool(spec, key, value);
                    break;
                case "volume-nocopy":
                    Volume()["NoCopy"] = ParseBool(spec, key, value);
                    break;
                case "volume-subpath":
                    Volume()["Subpath"] = value;
                    break;
                case "volume-label":
                    if (Volume()["Labels"] is not JsonObject labels)
                    {
                        labels = [];
                        Volume()["Labels"] = labels;
                    }

                    var leq = value!.IndexOf('=', StringComparison.Ordinal);
                    labels[leq < 0 ? value : value[..leq]] = leq < 0 ? string.Empty : value[(leq + 1)..];
                    break;
                case "volume-driver":
                    DriverConfig(Volume())["Name"] = value;
                    break;
                case "volume-opt":
                    var dc = DriverConfig(Volume());
                    if (dc["Options"] is not JsonObject opts)
                    {
                        opts = [];
                        dc["Options"] = opts;
                    }

                    var oeq = value!.IndexOf('=', StringComparison.Ordinal);
                    opts[oeq < 0 ? value : value[..oeq]] = oeq < 0 ? string.Empty : value[(oeq + 1)..];
                    break;
                case "tmpfs-size":
                    if (!GoParse.TryRamInBytes(value!, out var size))
                    {
                        throw Error(spec, $"invalid value for {key}: {value}");
                    }

                    Tmpfs()["SizeBytes"] = size;
                    break;
                case "tmpfs-mode":
                    if (!uint.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _))
                    {
                        throw Error(spec, $"invalid value for {key}: {value}");
                    }

                    Tmpfs()["Mode"] = Convert.ToInt64(value, 8);
                    break;
                default:
                    throw Error(spec, $"unexpected key '{key}' in '{field}'");
            }
        }

        if (type is not ("bind" or "volume" or "tmpfs" or "npipe" or "cluster" or "image"))
        {
            throw Error(spec, $"invalid type '{type}'");
        }

        if (m["Target"] is null)
        {
            throw Error(spec, "target is required");
        }

        var result = new JsonObject { ["Type"] = type };
        foreach (var kv in m.ToList())
        {
            m.Remove(kv.Key);
            result[kv.Key] = kv.Value;
        }

        if (bind is not null)
        {
            if (type != "bind")
            {
                throw Error(spec, $"cannot mix 'bind-*' options with mount type '{type}'");
            }

            result["BindOptions"] = bind;
        }

        if (volume is not null)
        {
            if (type != "volume")
            {
                throw Error(spec, $"cannot mix 'volume-*' options with mount type '{type}'");
            }

            result["VolumeOptions"] = volume;
        }

        if (tmpfs is not null)
        {
            if (type != "tmpfs")
            {
                throw Error(spec, $"cannot mix 'tmpfs-*' options with mount type '{type}'");
            }

            result["TmpfsOptions"] = tmpfs;
        }

        return result;
    }

    private static JsonObject DriverConfig(JsonObject volume)
    {
        if (volume["DriverConfig"] is not JsonObject dc)
        {
            dc = [];
            volume["DriverConfig"] = dc;
        }

        return dc;
    }

    private static bool ParseBool(string spec, string key, string? value)
    {
        if (value is null)
        {
            return true;
        }

        return value.ToLowerInvariant() switch
        {
            "1" or "true" => true,
            "0" or "false" => false,
            _ => throw Error(spec, $"invalid value for {key}: {value}"),
        };
    }

    private static IEnumerable<string> SplitCsv(string s)
    {
        var field = new System.Text.StringBuilder();
        var quoted = false;
        foreach (var c in s)
        {
            if (c == '"')
            {
                quoted = !quoted;
                continue;
            }

            if (c == ',' && !quoted)
            {
                yield return field.ToString();
                field.Clear();
                continue;
            }

            field.Append(c);
        }

        yield return field.ToString();
    }

    private static CliException Error(string spec, string message) =>
        new($"invalid argument \"{spec}\" for \"--mount\" flag: {message}", 125);

}
