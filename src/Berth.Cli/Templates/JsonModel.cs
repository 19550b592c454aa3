using System.Text.Json;
using System.Text.Json.Nodes;

namespace Berth.Cli.Templates;

/// <summary>
/// Turns engine JSON into template values that print like docker's typed Go structs: objects of
/// named fields become <see cref="GoStruct"/>, maps (labels, ports, options...) become
/// <see cref="GoMap"/>, and nulls print as Go would for the field's type.
/// </summary>
public static class JsonModel
{
    private static readonly HashSet<string> MapFields = new(StringComparer.Ordinal)
    {
        "Labels", "Options", "DriverOpts", "ExposedPorts", "Volumes", "Ports", "PortBindings", "Sysctls",
        "Tmpfs", "StorageOpt", "Annotations", "Networks", "Data", "Attributes", "IndexConfigs", "Runtimes",
        "Containers", "Status", "Peers", "Services", "ConfigOnly", "Plugins.Log",
    };

    private static readonly HashSet<string> SliceFields = new(StringComparer.Ordinal)
    {
        "Cmd", "Entrypoint", "Env", "OnBuild", "Shell", "Binds", "Links", "Dns", "DnsOptions", "DnsSearch",
        "ExtraHosts", "CapAdd", "CapDrop", "GroupAdd", "SecurityOpt", "Devices", "DeviceCgroupRules",
        "DeviceRequests", "Ulimits", "VolumesFrom", "Mounts", "Aliases", "Layers", "RepoTags", "RepoDigests",
        "Args", "Test", "MaskedPaths", "ReadonlyPaths", "BlkioWeightDevice", "BlkioDeviceReadBps",
        "BlkioDeviceWriteBps", "BlkioDeviceReadIOps", "BlkioDeviceWriteIOps", "DNSNames", "Log", "Warnings",
        "Names", "Mirrors", "SecondaryIPAddresses", "SecondaryIPv6Addresses", "ConsoleSize", "Config.IPAM",
        "Processes", "Titles", "DriverStatus", "SystemStatus", "Changes", "Secrets", "Configs",
    };

    public static object? FromJson(JsonNode? node) => Convert(node, string.Empty, string.Empty);

    public static object? Convert(JsonNode? node, string name, string parent)
    {
        switch (node)
        {
            case null:
                return new GoNil(NilKindFor(name));
            case JsonArray array:
                var list = new List<object?>(array.Count);
                foreach (var item in array)
                {
                    list.Add(Convert(item, string.Empty, name));
                }

                return list;
            case JsonObject obj:
                if (IsMap(obj, name, parent))
                {
                    var entries = new SortedDictionary<string, object?>(StringComparer.Ordinal);
                    var stringValued = true;
                    foreach (var kv in obj)
                    {
                        entries[kv.Key] = Convert(kv.Value, string.Empty, name);
                        stringValued &= kv.Value is JsonValue v && v.GetValueKind() == JsonValueKind.String;
                    }

                    return new GoMap(entries, stringValued && (obj.Count > 0 || name is "Labels" or "Options" or "DriverOpts" or "Sysctls" or "StorageOpt" or "Annotations" or "Tmpfs" or "Data" or "Config" or "Attributes"));
                }

                var fields = new List<KeyValuePair<string, object?>>(obj.Count);
                foreach (var kv in obj)
                {
                    fields.Add(new(kv.Key, Convert(kv.Value, kv.Key, name)));
                }

                return new GoStruct(fields);
            case JsonValue value:
                return value.GetValueKind() switch
                {
                    JsonValueKind.String => value.GetValue<string>(),
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    JsonValueKind.Number => new GoNumber(value.ToJsonString()),
                    _ => new GoNil(NilKindFor(name)),
                };
            default:
                return NoValue.Instance;
        }
    }

    public static NilKind NilKindFor(string name) =>
        SliceFields.Contains(name) ? NilKind.Slice : MapFields.Contains(name) && name != "Status" && name != "Containers" ? NilKind.Map : NilKind.Pointer;

    private static bool IsMap(JsonObject obj, string name, string parent)
    {
        if (name == "Config" && parent == "LogConfig")
        {
            return true;
        }

        if (name.Length == 0 && parent is "Networks" or "Containers" or "Ports" or "Volumes" or "ExposedPorts")
        {
            // Values of a map: structs (EndpointSettings, struct{}) or lists.
            return false;
        }

        if (MapFields.Contains(name) && !(name == "Status" && parent == "State"))
        {
            return true;
        }

        foreach (var kv in obj)
        {
            if (!IsExportedIdentifier(kv.Key))
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsExportedIdentifier(string key)
    {
        if (key.Length == 0 || !char.IsUpper(key[0]))
        {
            return false;
        }

        foreach (var c in key)
        {
            if (!char.IsLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }
}
