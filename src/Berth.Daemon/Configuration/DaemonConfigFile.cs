using System.Text.Json;
using Berth.Core.Errors;

namespace Berth.Daemon.Configuration;

/// <summary>
/// Reads daemon.json with dockerd's keys. Unknown keys are refused (as dockerd does), keys given
/// both as a flag and in the file are refused with dockerd's message, and keys Berth recognises
/// but does not implement are refused by name rather than ignored.
/// </summary>
public static class DaemonConfigFile
{
    private static readonly HashSet<string> Known =
    [
        "hosts", "data-root", "exec-root", "pidfile", "default-runtime", "runtimes", "log-level",
        "live-restore", "cgroup-parent", "log-driver", "log-opts", "bip", "iptables", "ip-forward",
        "dns", "labels", "default-shm-size", "debug", "default-ulimits",
        "bridge", "fixed-cidr", "mtu", "default-address-pools", "dns-search", "dns-opts",
        "userland-proxy", "seccomp-profile", "tls", "tlsverify", "tlscacert", "tlscert", "tlskey", "group",

        // Berth's own (dockerd has no such caps): see Berth.Storage.Layers.ExpansionLimit.
        "layer-max-expanded-size", "layer-max-expansion-ratio",
    ];

    /// <summary>Applies the file's settings to <paramref name="options"/>; <paramref name="flagsGiven"/> are the dockerd flag names set on the command line.</summary>
    public static DaemonOptions Apply(DaemonOptions options, string path, ISet<string> flagsGiven, bool required)
    {
        if (!File.Exists(path))
        {
            return required ? throw BerthException.Invalid($"unable to configure the Docker daemon with file {path}: open {path}: no such file or directory") : options;
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(File.ReadAllBytes(path), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw BerthException.Invalid($"unable to configure the Docker daemon with file {path}: {e.Message}");
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw BerthException.Invalid($"unable to configure the Docker daemon with file {path}: the file must hold a JSON object");
            }

            var unknown = doc.RootElement.EnumerateObject().Select(p => p.Name).Where(n => !Known.Contains(n)).ToList();
            if (unknown.Count > 0)
            {
                throw BerthException.Invalid($"the following directives don't match any configuration option: {string.Join(", ", unknown)}");
            }

            var both = doc.RootElement.EnumerateObject().Select(p => p.Name).Where(flagsGiven.Contains).ToList();
            if (both.Count > 0)
            {
                throw BerthException.Invalid($"the following directives are specified both as a flag and in the configuration file: {string.Join(", ", both.Select(b => $"{b}: (from flag: set, from file: set)"))}");
            }

            var o = options;
            foreach (var p in doc.RootElement.EnumerateObject())
            {
                var v = p.Value;
                o = p.Name switch
                {
                    "hosts" => o with { Hosts = v.EnumerateArray().Select(x => x.GetString()!).ToList() },
                    "data-root" => o with { DataRoot = v.GetString()! },
                    "exec-root" => o with { ExecRoot = v.GetString()! },
                    "pidfile" => o with { PidFile = v.GetString() },
                    "default-runtime" => o with { DefaultRuntime = v.GetString()! },
                    "runtimes" => o with { Runtimes = MergeRuntimes(o.Runtimes, v) },
                    "log-level" => o with { LogLevel = v.GetString()! },
                    "debug" => v.GetBoolean() ? o with { LogLevel = "debug" } : o,
                    "live-restore" => o with { LiveRestore = v.GetBoolean() },
                    "cgroup-parent" => o with { CgroupParent = v.GetString()! },
                    "log-driver" => o with { LogDriver = v.GetString()! },
                    "log-opts" => o with { LogOpts = v.EnumerateObject().ToDictionary(x => x.Name, x => x.Value.GetString() ?? string.Empty) },
                    "bip" => o with { Bip = v.GetString() },
                    "iptables" => o with { Iptables = v.GetBoolean() },
                    "ip-forward" => o with { IpForward = v.GetBoolean() },
                    "userland-proxy" => o with { UserlandProxy = v.GetBoolean() },
                    "seccomp-profile" => o with { SeccompProfile = v.GetString() },
                    "dns" => o with { Dns = v.EnumerateArray().Select(x => x.GetString()!).ToList() },
                    "dns-search" => o with { DnsSearch = v.EnumerateArray().Select(x => x.GetString()!).ToList() },
                    "dns-opts" => o with { DnsOptions = v.EnumerateArray().Select(x => x.GetString()!).ToList() },
                    "bridge" => o with { Bridge = v.GetString()! },
                    "fixed-cidr" => o with { FixedCidr = v.GetString() },
                    "mtu" => o with { Mtu = v.GetInt32() },
                    "default-address-pools" => o with { DefaultAddressPools = ParsePools(path, v) },
                    "labels" => o with { Labels = v.EnumerateArray().Select(x => x.GetString()!).Select(SplitLabel).ToDictionary(x => x.Key, x => x.Value) },
                    "default-shm-size" => o with { DefaultShmSize = v.GetString() },
                    "default-ulimits" => o with { DefaultUlimits = ParseUlimits(path, v) },
                    "layer-max-expanded-size" => o with { LayerExpansionLimit = o.LayerExpansionLimit with { MaxExpandedBytes = ParsePositiveSize(path, p.Name, v) } },
                    "layer-max-expansion-ratio" => o with { LayerExpansionLimit = o.LayerExpansionLimit with { MaxRatio = ParsePositiveNumber(path, p.Name, v) } },
                    "tls" => o with { Tls = v.GetBoolean() },
                    "tlsverify" => o with { TlsVerify = v.GetBoolean() },
                    "tlscacert" => o with { TlsCaCert = Path.GetFullPath(v.GetString()!) },
                    "tlscert" => o with { TlsCert = Path.GetFullPath(v.GetString()!) },
                    "tlskey" => o with { TlsKey = Path.GetFullPath(v.GetString()!) },
                    "group" => o with { SocketGroup = v.GetString()!, SocketGroupGiven = true },
                    _ => o,
                };
            }

            return o;
        }
    }

    private static Dictionary<string, string> MergeRuntimes(IReadOnlyDictionary<string, string> current, JsonElement runtimes)
    {
        var merged = new Dictionary<string, string>(current);
        foreach (var r in runtimes.EnumerateObject())
        {
            merged[r.Name] = r.Value.TryGetProperty("path", out var path) ? path.GetString()! : r.Name;
        }

        return merged;
    }

    private static List<AddressPoolOption> ParsePools(string path, JsonElement pools)
    {
        var list = new List<AddressPoolOption>();
        foreach (var p in pools.EnumerateArray())
        {
            if (!p.TryGetProperty("base", out var b) || b.GetString() is not { } baseCidr || !p.TryGetProperty("size", out var size) || !size.TryGetInt32(out var bits))
            {
                throw BerthException.Invalid($"unable to configure the Docker daemon with file {path}: default-address-pools entries need \"base\" and \"size\"");
            }

            list.Add(new AddressPoolOption(baseCidr, bits));
        }

        return list;
    }

    /// <summary>dockerd's shape: {"nofile": {"Name": "nofile", "Hard": 64000, "Soft": 64000}}.</summary>
    private static List<Berth.Core.Model.Ulimit> ParseUlimits(string path, JsonElement ulimits)
    {
        var list = new List<Berth.Core.Model.Ulimit>();
        foreach (var p in ulimits.EnumerateObject())
        {
            var name = p.Value.TryGetProperty("Name", out var n) && n.GetString() is { Length: > 0 } inner ? inner : p.Name;
            if (!p.Value.TryGetProperty("Hard", out var hard) || !hard.TryGetInt64(out var h) || !p.Value.TryGetProperty("Soft", out var soft) || !soft.TryGetInt64(out var sv))
            {
                throw BerthException.Invalid($"unable to configure the Docker daemon with file {path}: default-ulimits entry \"{p.Name}\" needs integer \"Hard\" and \"Soft\"");
            }

            var u = new Berth.Core.Model.Ulimit(name, sv, h);
            if (u.Validate() is { } error)
            {
                throw BerthException.Invalid($"unable to configure the Docker daemon with file {path}: {error}");
            }

            list.Add(u);
        }

        return list;
    }

    /// <summary>A byte count as a number or in Docker's size syntax ("64g", "512m").</summary>
    private static long ParsePositiveSize(string path, string key, JsonElement v)
    {
        long bytes = -1;
        if (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n))
        {
            bytes = n;
        }
        else if (v.ValueKind == JsonValueKind.String)
        {
            try
            {
                bytes = Berth.Runtime.Logging.LogRotation.ParseSize(v.GetString()!);
            }
            catch (BerthException)
            {
                bytes = -1;
            }
        }

        return bytes > 0 ? bytes : throw BerthException.Invalid($"unable to configure the Docker daemon with file {path}: {key} must be a positive size (bytes, or like \"64g\")");
    }

    private static double ParsePositiveNumber(string path, string key, JsonElement v) =>
        v.ValueKind == JsonValueKind.Number && v.TryGetDouble(out var d) && d >= 1
            ? d
            : throw BerthException.Invalid($"unable to configure the Docker daemon with file {path}: {key} must be a number of at least 1");

    private static KeyValuePair<string, string> SplitLabel(string label)
    {
        var eq = label.IndexOf('=', StringComparison.Ordinal);
        return eq < 0 ? new(label, string.Empty) : new(label[..eq], label[(eq + 1)..]);
    }
}
