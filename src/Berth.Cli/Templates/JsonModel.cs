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

    // Go field order of the structs people print whole ({{.Config}}, {{.State}}), with the zero
    // value a field has when the engine omitted it (omitempty).
    private static readonly (string Name, object? Zero)[] ContainerConfigFields =
    [
        ("Hostname", string.Empty), ("Domainname", string.Empty), ("User", string.Empty), ("AttachStdin", false),
        ("AttachStdout", false), ("AttachStderr", false), ("ExposedPorts", new GoNil(NilKind.Map)), ("Tty", false),
        ("OpenStdin", false), ("StdinOnce", false), ("Env", new GoNil(NilKind.Slice)), ("Cmd", new GoNil(NilKind.Slice)),
        ("Healthcheck", GoNil.Pointer), ("ArgsEscaped", false), ("Image", string.Empty), ("Volumes", new GoNil(NilKind.Map)),
        ("WorkingDir", string.Empty), ("Entrypoint", new GoNil(NilKind.Slice)), ("NetworkDisabled", false),
        ("MacAddress", string.Empty), ("OnBuild", new GoNil(NilKind.Slice)), ("Labels", new GoNil(NilKind.Map)),
        ("StopSignal", string.Empty), ("StopTimeout", GoNil.Pointer), ("Shell", new GoNil(NilKind.Slice)),
    ];

    private static readonly (string Name, object? Zero)[] ContainerStateFields =
    [
        ("Status", string.Empty), ("Running", false), ("Paused", false), ("Restarting", false), ("OOMKilled", false),
        ("Dead", false), ("Pid", 0L), ("ExitCode", 0L), ("Error", string.Empty), ("StartedAt", string.Empty),
        ("FinishedAt", string.Empty), ("Health", GoNil.Pointer),
    ];

    public static object? FromJson(JsonNode? node)
    {
        var value = Convert(node, string.Empty, string.Empty);
        if (value is GoStruct root && node is JsonObject o && o.ContainsKey("State") && o.ContainsKey("HostConfig"))
        {
            // A container: give Config and State all the fields of their Go types.
            Complete(root, "Config", ContainerConfigFields);
            Complete(root, "State", ContainerStateFields);
        }

        return value;
    }

    private static void Complete(GoStruct root, string field, (string Name, object? Zero)[] schema)
    {
        if (!root.Index.TryGetValue(field, out var v) || v is not GoStruct st)
        {
            return;
        }

        var known = schema.Select(s => s.Name).ToHashSet(StringComparer.Ordinal);
        var fields = new List<KeyValuePair<string, object?>>();
        foreach (var (name, zero) in schema)
        {
            fields.Add(new(name, st.Index.TryGetValue(name, out var existing) ? existing : zero));
        }

        // Fields this CLI does not know keep their place at the end.
        fields.AddRange(st.Fields.Where(f => !known.Contains(f.Key)));
        var completed = new GoStruct(fields);
        foreach (var (name, _) in schema)
        {
            if (!st.Index.ContainsKey(name))
            {
                completed.Synthetic.Add(name);
            }
        }

        var i = root.Fields.FindIndex(f => f.Key == field);
        root.Fields[i] = new(field, completed);
        root.Index[field] = completed;
    }

    /// <summary>
    /// The engine's JSON as Go's json.Decode into interface{} sees it (every object a map, a
    /// missing key an error): docker's fallback when a template fails on the typed struct.
    /// </summary>
    public static object? FromRawJson(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return NoValue.Instance;
            case JsonArray array:
                return array.Select(FromRawJson).ToList();
            case JsonObject obj:
                var entries = new SortedDictionary<string, object?>(StringComparer.Ordinal);
                foreach (var kv in obj)
                {
                    entries[kv.Key] = FromRawJson(kv.Value);
                }

                return new GoMap(entries, false) { MissingKeyError = true };
            case JsonValue value:
                return Scalar(value, NoValue.Instance);
            default:
                return NoValue.Instance;
        }
    }

    /// <summary>A JSON string, boolean or number as a template value; <paramref name="otherwise"/> for null.</summary>
    private static object? Scalar(JsonValue value, object? otherwise) => value.GetValueKind() switch
    {
        JsonValueKind.String => value.GetValue<string>(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Number => new GoNumber(value.ToJsonString()),
        _ => otherwise,
    };

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
                return Scalar(value, new GoNil(NilKindFor(name)));
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
