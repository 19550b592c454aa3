using System.Globalization;
using System.Text.Json.Nodes;
using Berth.Cli.Parsing;
using Berth.Core.Model;

namespace Berth.Cli.Commands;

/// <summary>
/// The flags of <c>run</c> and <c>create</c> and their translation to the create request body
/// (Config, HostConfig, NetworkingConfig), following docker's cli/command/container/opts.go.
/// </summary>
public static class ContainerOptions
{
    public static List<FlagSpec> Flags(bool run)
    {
        var flags = new List<FlagSpec>
        {
            Flag.List("add-host", "Add a custom host-to-IP mapping (host:ip)"),
            Flag.List("annotation", "Add an annotation to the container (passed through to the OCI runtime)", "map", "map[]"),
            Flag.List("a|attach", "Attach to STDIN, STDOUT or STDERR"),
            Flag.UInt("blkio-weight", "Block IO (relative weight), between 10 and 1000, or 0 to disable", "0", "uint16"),
            Flag.List("blkio-weight-device", "Block IO weight (relative device weight)", "list", "[]"),
            Flag.List("cap-add", "Add Linux capabilities"),
            Flag.List("cap-drop", "Drop Linux capabilities"),
            Flag.String("cgroup-parent", "Optional parent cgroup for the container"),
            Flag.String("cgroupns", "Cgroup namespace to use (host|private)\n'host':    Run the container in the Docker host's cgroup namespace\n'private': Run the container in its own private cgroup namespace\n'':        Use the cgroup namespace as configured by the\n           default-cgroupns-mode option on the daemon (default)"),
            Flag.String("cidfile", "Write the container ID to the file"),
            Flag.NotImplemented(Flag.Int("cpu-count", "CPU count (Windows only)")),
            Flag.NotImplemented(Flag.Int("cpu-percent", "CPU percent (Windows only)")),
            Flag.Int("cpu-period", "Limit CPU CFS (Completely Fair Scheduler) period"),
            Flag.Int("cpu-quota", "Limit CPU CFS (Completely Fair Scheduler) quota"),
            Flag.Int("cpu-rt-period", "Limit CPU real-time period in microseconds"),
            Flag.Int("cpu-rt-runtime", "Limit CPU real-time runtime in microseconds"),
            Flag.Int("c|cpu-shares", "CPU shares (relative weight)"),
            Flag.Decimal("cpus", "Number of CPUs"),
            Flag.String("cpuset-cpus", "CPUs in which to allow execution (0-3, 0,1)"),
            Flag.String("cpuset-mems", "MEMs in which to allow execution (0-3, 0,1)"),
            Flag.List("device", "Add a host device to the container"),
            Flag.List("device-cgroup-rule", "Add a rule to the cgroup allowed devices list"),
            Flag.List("device-read-bps", "Limit read rate (bytes per second) from a device", "list", "[]"),
            Flag.List("device-read-iops", "Limit read rate (IO per second) from a device", "list", "[]"),
            Flag.List("device-write-bps", "Limit write rate (bytes per second) to a device", "list", "[]"),
            Flag.List("device-write-iops", "Limit write rate (IO per second) to a device", "list", "[]"),
            Flag.Bool("disable-content-trust", "Skip image verification", "true"),
            Flag.List("dns", "Set custom DNS servers"),
            Flag.List("dns-option", "Set DNS options"),
            Flag.List("dns-search", "Set custom DNS search domains"),
            Flag.String("domainname", "Container NIS domain name"),
            Flag.String("entrypoint", "Overwrite the default ENTRYPOINT of the image"),
            Flag.List("e|env", "Set environment variables"),
            Flag.List("env-file", "Read in a file of environment variables"),
            Flag.List("expose", "Expose a port or a range of ports"),
            Flag.NotImplemented(Flag.String("gpus", "GPU devices to add to the container ('all' to pass all GPUs)", null, "gpu-request")),
            Flag.List("group-add", "Add additional groups to join"),
            Flag.String("health-cmd", "Command to run to check health"),
            Flag.Duration("health-interval", "Time between running the check (ms|s|m|h)"),
            Flag.Int("health-retries", "Consecutive failures needed to report unhealthy"),
            Flag.Duration("health-start-interval", "Time between running the check during the start period (ms|s|m|h)"),
            Flag.Duration("health-start-period", "Start period for the container to initialize before starting health-retries countdown (ms|s|m|h)"),
            Flag.Duration("health-timeout", "Maximum time to allow one check to run (ms|s|m|h)"),
            Flag.Bool("help", "Print usage"),
            Flag.String("h|hostname", "Container host name"),
            Flag.Bool("init", "Run an init inside the container that forwards signals and reaps processes"),
            Flag.Bool("i|interactive", "Keep STDIN open even if not attached"),
            Flag.NotImplemented(Flag.Bytes("io-maxbandwidth", "Maximum IO bandwidth limit for the system drive (Windows only)")),
            Flag.NotImplemented(Flag.UInt("io-maxiops", "Maximum IOps limit for the system drive (Windows only)")),
            Flag.String("ip", "IPv4 address (e.g., 172.30.100.104)"),
            Flag.String("ip6", "IPv6 address (e.g., 2001:db8::33)"),
            Flag.String("ipc", "IPC mode to use"),
            Flag.String("isolation", "Container isolation technology"),
            Flag.Bytes("kernel-memory", "Kernel memory limit"),
            Flag.List("l|label", "Set meta data on a container"),
            Flag.List("label-file", "Read in a line delimited file of labels"),
            Flag.List("link", "Add link to another container"),
            Flag.List("link-local-ip", "Container IPv4/IPv6 link-local addresses"),
            Flag.String("log-driver", "Logging driver for the container"),
            Flag.List("log-opt", "Log driver options"),
            Flag.String("mac-address", "Container MAC address (e.g., 92:d0:c6:0a:29:33)"),
            Flag.Bytes("m|memory", "Memory limit"),
            Flag.Bytes("memory-reservation", "Memory soft limit"),
            Flag.Bytes("memory-swap", "Swap limit equal to memory plus swap: '-1' to enable unlimited swap"),
            Flag.Int("memory-swappiness", "Tune container memory swappiness (0 to 100)", "-1"),
            Flag.List("mount", "Attach a filesystem mount to the container", "mount"),
            Flag.String("name", "Assign a name to the container"),
            Flag.List("network", "Connect a container to a network", "network"),
            Flag.Alias("net", Flag.List("network", "Connect a container to a network", "network")),
            Flag.List("network-alias", "Add network-scoped alias for the container"),
            Flag.Alias("net-alias", Flag.List("network-alias", "Add network-scoped alias for the container")),
            Flag.Bool("no-healthcheck", "Disable any container-specified HEALTHCHECK"),
            Flag.Bool("oom-kill-disable", "Disable OOM Killer"),
            Flag.Int("oom-score-adj", "Tune host's OOM preferences (-1000 to 1000)"),
            Flag.String("pid", "PID namespace to use"),
            Flag.Int("pids-limit", "Tune container pids limit (set -1 for unlimited)"),
            Flag.String("platform", "Set platform if server is multi-platform capable"),
            Flag.Bool("privileged", "Give extended privileges to this container"),
            Flag.List("p|publish", "Publish a container's port(s) to the host"),
            Flag.Bool("P|publish-all", "Publish all exposed ports to random ports"),
            Flag.String("pull", "Pull image before " + (run ? "running (\"always\", \"missing\", \"never\")" : "creating (\"always\", \"|missing\", \"never\")"), "missing"),
            Flag.Bool("q|quiet", "Suppress the pull output"),
            Flag.Bool("read-only", "Mount the container's root filesystem as read only"),
            Flag.String("restart", "Restart policy to apply when a container exits", "no"),
            Flag.Bool("rm", "Automatically remove the container and its associated anonymous volumes when it exits"),
            Flag.String("runtime", "Runtime to use for this container"),
            Flag.List("security-opt", "Security Options"),
            Flag.Bytes("shm-size", "Size of /dev/shm"),
            Flag.String("stop-signal", "Signal to stop the container"),
            Flag.Int("stop-timeout", "Timeout (in seconds) to stop a container"),
            Flag.List("storage-opt", "Storage driver options for the container"),
            Flag.List("sysctl", "Sysctl options", "map", "map[]"),
            Flag.List("tmpfs", "Mount a tmpfs directory"),
            Flag.Bool("t|tty", "Allocate a pseudo-TTY"),
            Flag.List("ulimit", "Ulimit options", "ulimit", "[]"),
            Flag.NotImplemented(Flag.Bool("use-api-socket", "Bind mount Docker API socket and required auth")),
            Flag.String("u|user", "Username or UID (format: <name|uid>[:<group|gid>])"),
            Flag.String("userns", "User namespace to use"),
            Flag.String("uts", "UTS namespace to use"),
            Flag.List("v|volume", "Bind mount a volume"),
            Flag.String("volume-driver", "Optional volume driver for the container"),
            Flag.List("volumes-from", "Mount volumes from the specified container(s)"),
            Flag.String("w|workdir", "Working directory inside the container"),
        };
        if (run)
        {
            flags.Add(Flag.Bool("d|detach", "Run container in background and print container ID"));
            flags.Add(Flag.String("detach-keys", "Override the key sequence for detaching a container"));
            flags.Add(Flag.Bool("sig-proxy", "Proxy received signals to the process", "true"));
        }

        return flags;
    }

    /// <summary>The create request: query (name, platform) and body.</summary>
    public sealed record CreateRequest(JsonObject Body, string? Name, string? Platform, string Image);

    public static CreateRequest Build(ParsedFlags f, string image, IReadOnlyList<string> command, bool terminalStdin, (int Rows, int Columns)? consoleSize)
    {
        var config = new JsonObject();
        var host = new JsonObject();

        // Attach: -a restricts; default stdout+stderr; -i adds stdin.
        var attach = f.List("attach").Select(a => a.ToLowerInvariant()).ToList();
        foreach (var a in attach)
        {
            if (a is not ("stdin" or "stdout" or "stderr"))
            {
                throw new CliException($"invalid argument \"{a}\" for \"-a, --attach\" flag: valid streams are STDIN, STDOUT and STDERR", 125);
            }
        }

        var stdin = f.Bool("interactive");
        var tty = f.Bool("tty");
        var attachStdin = attach.Contains("stdin") || stdin;
        var attachStdout = attach.Count == 0 || attach.Contains("stdout");
        var attachStderr = attach.Count == 0 || attach.Contains("stderr");

        var exposed = new JsonObject();
        var bindings = new JsonObject();
        foreach (var e in f.List("expose"))
        {
            foreach (var (port, proto) in PortSpecs.ExpandExpose(e))
            {
                exposed[$"{port}/{proto}"] = new JsonObject();
            }
        }

        foreach (var p in f.List("publish"))
        {
            foreach (var (key, ip, hostPort) in PortSpecs.Parse(p))
            {
                exposed[key] = new JsonObject();
                if (bindings[key] is not JsonArray list)
                {
                    list = [];
                    bindings[key] = list;
                }

                list.Add((JsonNode)new JsonObject { ["HostIp"] = ip, ["HostPort"] = hostPort });
            }
        }

        var env = new List<string>();
        foreach (var file in f.List("env-file"))
        {
            env.AddRange(Common.ReadKeyValueFile(file, env: true));
        }

        foreach (var e in f.List("env"))
        {
            if (e.Length == 0 || e[0] == '=')
            {
                throw new CliException($"invalid argument \"{e}\" for \"-e, --env\" flag: invalid environment variable: {e}", 125);
            }

            if (!e.Contains('=', StringComparison.Ordinal) && Environment.GetEnvironmentVariable(e) is { } value)
            {
                env.Add(e + "=" + value);
            }
            else
            {
                env.Add(e);
            }
        }

        var labels = new List<string>();
        foreach (var file in f.List("label-file"))
        {
            labels.AddRange(Common.ReadKeyValueFile(file, env: false));
        }

        labels.AddRange(f.List("label"));

        // Volumes: anonymous ones go to Config.Volumes, the rest to HostConfig.Binds.
        var volumes = new JsonObject();
        var binds = new JsonArray();
        foreach (var v in f.List("volume"))
        {
            var (source, target) = SplitVolume(v);
            if (target.Length == 0)
            {
                throw new CliException($"invalid argument \"{v}\" for \"-v, --volume\" flag: invalid spec: {v}: empty section between colons", 125);
            }

            if (source.Length == 0)
            {
                volumes[target] = new JsonObject();
                continue;
            }

            var spec = v;
            if (source.StartsWith('.'))
            {
                spec = Path.GetFullPath(source) + v[source.Length..];
            }

            binds.Add((JsonNode)JsonValue.Create(spec));
        }

        JsonArray? entrypoint = null;
        if (f.IsSet("entrypoint"))
        {
            entrypoint = new JsonArray((JsonNode?)JsonValue.Create(f.String("entrypoint") ?? string.Empty));
        }

        config["Hostname"] = f.String("hostname") ?? string.Empty;
        config["Domainname"] = f.String("domainname") ?? string.Empty;
        config["User"] = f.String("user") ?? string.Empty;
        config["AttachStdin"] = attachStdin;
        config["AttachStdout"] = attachStdout;
        config["AttachStderr"] = attachStderr;
        if (exposed.Count > 0)
        {
            config["ExposedPorts"] = exposed;
        }

        config["Tty"] = tty;
        config["OpenStdin"] = stdin;
        config["StdinOnce"] = stdin && attachStdin;
        config["Env"] = ToArray(env);
        config["Cmd"] = command.Count > 0 ? ToArray(command) : null;
        config["Image"] = image;
        config["Volumes"] = volumes.Count > 0 ? volumes : null;
        config["WorkingDir"] = f.String("workdir") ?? string.Empty;
        config["Entrypoint"] = entrypoint;
        if (f.String("mac-address") is { } mac)
        {
            config["MacAddress"] = mac;
        }

        config["OnBuild"] = null;
        config["Labels"] = KeyValueMap(labels);
        if (f.String("stop-signal") is { } sig)
        {
            config["StopSignal"] = sig;
        }

        if (f.IsSet("stop-timeout"))
        {
            config["StopTimeout"] = f.Int("stop-timeout");
        }

        var health = Healthcheck(f);
        if (health is not null)
        {
            config["Healthcheck"] = health;
        }

        // HostConfig
        host["Binds"] = binds.Count > 0 ? binds : null;
        if (f.String("cidfile") is not null)
        {
            host["ContainerIDFile"] = f.String("cidfile");
        }

        var logOpts = new JsonObject();
        foreach (var o in f.List("log-opt"))
        {
            var eq = o.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                throw new CliException($"invalid argument \"{o}\" for \"--log-opt\" flag: invalid key value pair format in log options", 125);
            }

            logOpts[o[..eq]] = o[(eq + 1)..];
        }

        host["LogConfig"] = new JsonObject { ["Type"] = f.String("log-driver") ?? string.Empty, ["Config"] = logOpts };
        var networks = f.List("network");
        host["NetworkMode"] = networks.Count > 0 ? NetworkName(networks[0]) : "default";
        host["PortBindings"] = bindings.Count > 0 ? bindings : null;
        host["RestartPolicy"] = RestartPolicy(f.String("restart") ?? "no");
        host["AutoRemove"] = f.Bool("rm");
        if (f.Bool("rm") && host["RestartPolicy"]!["Name"]!.GetValue<string>() is not ("no" or ""))
        {
            throw new CliException("Conflicting options: --restart and --rm", 125);
        }

        host["VolumeDriver"] = f.String("volume-driver") ?? string.Empty;
        host["VolumesFrom"] = NullIfEmpty(f.List("volumes-from"));
        if (consoleSize is { } cs && tty)
        {
            host["ConsoleSize"] = new JsonArray(cs.Rows, cs.Columns);
        }
        else
        {
            host["ConsoleSize"] = new JsonArray(0, 0);
        }

        if (f.IsSet("annotation"))
        {
            host["Annotations"] = KeyValueMap(f.List("annotation"));
        }

        host["CapAdd"] = NullIfEmpty(f.List("cap-add"));
        host["CapDrop"] = NullIfEmpty(f.List("cap-drop"));
        host["CgroupnsMode"] = f.String("cgroupns") ?? string.Empty;
        host["Dns"] = ToArray(f.List("dns"));
        host["DnsOptions"] = ToArray(f.List("dns-option"));
        host["DnsSearch"] = ToArray(f.List("dns-search"));
        host["ExtraHosts"] = NullIfEmpty(f.List("add-host").Select(ExtraHost).ToList());
        host["GroupAdd"] = NullIfEmpty(f.List("group-add"));
        host["IpcMode"] = f.String("ipc") ?? string.Empty;
        host["Cgroup"] = string.Empty;
        host["Links"] = NullIfEmpty(f.List("link"));
        host["OomScoreAdj"] = f.Int("oom-score-adj");
        host["PidMode"] = f.String("pid") ?? string.Empty;
        host["Privileged"] = f.Bool("privileged");
        host["PublishAllPorts"] = f.Bool("publish-all");
        host["ReadonlyRootfs"] = f.Bool("read-only");
        host["SecurityOpt"] = NullIfEmpty(f.List("security-opt").Select(SecurityOpt).ToList());
        if (f.IsSet("storage-opt"))
        {
            host["StorageOpt"] = KeyValueMap(f.List("storage-opt"));
        }

        var tmpfs = new JsonObject();
        foreach (var t in f.List("tmpfs"))
        {
            var colon = t.IndexOf(':', StringComparison.Ordinal);
            tmpfs[colon < 0 ? t : t[..colon]] = colon < 0 ? string.Empty : t[(colon + 1)..];
        }

        if (tmpfs.Count > 0)
        {
            host["Tmpfs"] = tmpfs;
        }

        host["UTSMode"] = f.String("uts") ?? string.Empty;
        host["UsernsMode"] = f.String("userns") ?? string.Empty;
        host["ShmSize"] = f.Bytes("shm-size");
        if (f.IsSet("sysctl"))
        {
            host["Sysctls"] = KeyValueMap(f.List("sysctl"));
        }

        host["Runtime"] = f.String("runtime") ?? string.Empty;
        host["Isolation"] = f.String("isolation") ?? string.Empty;

        // Resources
        host["CpuShares"] = f.Int("cpu-shares");
        host["Memory"] = f.Bytes("memory");
        host["NanoCpus"] = f.String("cpus") is { } cpus ? (long)(decimal.Parse(cpus, CultureInfo.InvariantCulture) * 1_000_000_000m) : 0;
        host["CgroupParent"] = f.String("cgroup-parent") ?? string.Empty;
        host["BlkioWeight"] = f.Int("blkio-weight");
        host["BlkioWeightDevice"] = new JsonArray(f.List("blkio-weight-device").Select(WeightDevice).ToArray());
        host["BlkioDeviceReadBps"] = new JsonArray(f.List("device-read-bps").Select(d => ThrottleDevice(d, true)).ToArray());
        host["BlkioDeviceWriteBps"] = new JsonArray(f.List("device-write-bps").Select(d => ThrottleDevice(d, true)).ToArray());
        host["BlkioDeviceReadIOps"] = new JsonArray(f.List("device-read-iops").Select(d => ThrottleDevice(d, false)).ToArray());
        host["BlkioDeviceWriteIOps"] = new JsonArray(f.List("device-write-iops").Select(d => ThrottleDevice(d, false)).ToArray());
        host["CpuPeriod"] = f.Int("cpu-period");
        host["CpuQuota"] = f.Int("cpu-quota");
        host["CpuRealtimePeriod"] = f.Int("cpu-rt-period");
        host["CpuRealtimeRuntime"] = f.Int("cpu-rt-runtime");
        host["CpusetCpus"] = f.String("cpuset-cpus") ?? string.Empty;
        host["CpusetMems"] = f.String("cpuset-mems") ?? string.Empty;
        host["Devices"] = new JsonArray(f.List("device").Select(Device).ToArray());
        host["DeviceCgroupRules"] = NullIfEmpty(f.List("device-cgroup-rule"));
        host["DeviceRequests"] = null;
        host["KernelMemory"] = f.Bytes("kernel-memory");
        host["MemoryReservation"] = f.Bytes("memory-reservation");
        host["MemorySwap"] = f.IsSet("memory-swap") ? f.Bytes("memory-swap") : 0;
        host["MemorySwappiness"] = f.IsSet("memory-swappiness") && f.Int("memory-swappiness") != -1 ? f.Int("memory-swappiness") : null;
        host["OomKillDisable"] = f.IsSet("oom-kill-disable") ? f.Bool("oom-kill-disable") : null;
        host["PidsLimit"] = f.IsSet("pids-limit") ? f.Int("pids-limit") : null;
        host["Ulimits"] = Ulimits(f.List("ulimit"));
        if (f.IsSet("init"))
        {
            host["Init"] = f.Bool("init");
        }

        var mounts = f.List("mount").Select(MountSpec.Parse).ToList();
        if (mounts.Count > 0)
        {
            host["Mounts"] = new JsonArray(mounts.ToArray<JsonNode?>());
        }

        // NetworkingConfig: aliases, static addresses, extra networks.
        var endpoints = new JsonObject();
        for (var i = 0; i < networks.Count; i++)
        {
            var ep = new JsonObject();
            if (i == 0)
            {
                FillEndpoint(ep, f);
            }

            if (ep.Count > 0 || networks.Count > 1)
            {
                endpoints[NetworkName(networks[i])] = ep;
            }
        }

        if (networks.Count == 0 && (f.IsSet("network-alias") || f.IsSet("ip") || f.IsSet("ip6") || f.IsSet("link-local-ip")))
        {
            var ep = new JsonObject();
            FillEndpoint(ep, f);
            endpoints["default"] = ep;
        }

        var body = config;
        body["HostConfig"] = host;
        body["NetworkingConfig"] = new JsonObject { ["EndpointsConfig"] = endpoints };
        return new CreateRequest(body, f.String("name"), f.String("platform"), image);
    }

    private static void FillEndpoint(JsonObject ep, ParsedFlags f)
    {
        if (f.List("network-alias") is { Count: > 0 } aliases)
        {
            ep["Aliases"] = ToArray(aliases);
        }

        if (f.IsSet("ip") || f.IsSet("ip6") || f.IsSet("link-local-ip"))
        {
            var ipam = new JsonObject();
            if (f.String("ip") is { } ip)
            {
                ipam["IPv4Address"] = ip;
            }

            if (f.String("ip6") is { } ip6)
            {
                ipam["IPv6Address"] = ip6;
            }

            if (f.List("link-local-ip") is { Count: > 0 } ll)
            {
                ipam["LinkLocalIPs"] = ToArray(ll);
            }

            ep["IPAMConfig"] = ipam;
        }
    }

    private static string NetworkName(string spec)
    {
        // --network name=foo,alias=bar (advanced syntax): only the name is used here.
        if (spec.Contains('=', StringComparison.Ordinal))
        {
            foreach (var part in spec.Split(','))
            {
                if (part.StartsWith("name=", StringComparison.Ordinal))
                {
                    return part[5..];
                }
            }
        }

        return spec;
    }

    private static JsonObject? Healthcheck(ParsedFlags f)
    {
        var any = f.IsSet("health-cmd") || f.IsSet("health-interval") || f.IsSet("health-timeout") || f.IsSet("health-retries") || f.IsSet("health-start-period") || f.IsSet("health-start-interval");
        if (f.Bool("no-healthcheck"))
        {
            if (any)
            {
                throw new CliException("--no-healthcheck conflicts with --health-* options", 125);
            }

            return new JsonObject { ["Test"] = new JsonArray("NONE") };
        }

        if (!any)
        {
            return null;
        }

        foreach (var name in new[] { "health-interval", "health-timeout", "health-start-period", "health-start-interval" })
        {
            if (f.DurationNanos(name) < 0)
            {
                throw new CliException($"--{name} cannot be negative", 125);
            }
        }

        if (f.Int("health-retries") < 0)
        {
            throw new CliException("--health-retries cannot be negative", 125);
        }

        var h = new JsonObject();
        if (f.String("health-cmd") is { Length: > 0 } cmd)
        {
            h["Test"] = new JsonArray("CMD-SHELL", cmd);
        }

        h["Interval"] = f.DurationNanos("health-interval");
        h["Timeout"] = f.DurationNanos("health-timeout");
        h["StartPeriod"] = f.DurationNanos("health-start-period");
        h["StartInterval"] = f.DurationNanos("health-start-interval");
        h["Retries"] = f.Int("health-retries");
        return h;
    }

    public static JsonObject RestartPolicy(string spec)
    {
        var colon = spec.IndexOf(':', StringComparison.Ordinal);
        var name = colon < 0 ? spec : spec[..colon];
        long count = 0;
        if (colon >= 0 && !long.TryParse(spec.AsSpan(colon + 1), CultureInfo.InvariantCulture, out count))
        {
            throw new CliException($"invalid restart policy format: maximum retry count must be an integer", 125);
        }

        // The engine judges the policy name (docker passes it through).
        return new JsonObject { ["Name"] = name.Length == 0 ? "no" : name, ["MaximumRetryCount"] = count };
    }

    private static (string Source, string Target) SplitVolume(string spec)
    {
        var parts = spec.Split(':');
        return parts.Length switch
        {
            1 => (string.Empty, parts[0]),
            _ => (parts[0], parts[1]),
        };
    }

    private static string ExtraHost(string h)
    {
        // Docker accepts host:ip and host=ip; the engine wants host:ip.
        var eq = h.IndexOf('=', StringComparison.Ordinal);
        if (eq > 0)
        {
            return h[..eq] + ":" + h[(eq + 1)..];
        }

        if (!h.Contains(':', StringComparison.Ordinal))
        {
            throw new CliException($"invalid argument \"{h}\" for \"--add-host\" flag: bad format for add-host: \"{h}\"", 125);
        }

        return h;
    }

    private static string SecurityOpt(string opt)
    {
        // seccomp=PATH: docker reads the profile file and sends its content.
        if (opt.StartsWith("seccomp=", StringComparison.Ordinal) || opt.StartsWith("seccomp:", StringComparison.Ordinal))
        {
            var value = opt[8..];
            if (value != "unconfined" && File.Exists(value))
            {
                return "seccomp=" + File.ReadAllText(value);
            }
        }

        return opt;
    }

    /// <summary>
    /// --ulimit values (already checked by the flag parser) as HostConfig.Ulimits: as docker's
    /// UlimitOpt, the last value of each name wins and the list is sorted by name; null when none.
    /// </summary>
    public static JsonArray? Ulimits(IEnumerable<string> specs)
    {
        var byName = new SortedDictionary<string, Ulimit>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            var u = Ulimit.TryParse(spec, out var error) ?? throw new CliException($"invalid argument \"{spec}\" for \"--ulimit\" flag: {error}", 125);
            byName[u.Name] = u;
        }

        return byName.Count == 0 ? null : new JsonArray([.. byName.Values.Select(u => (JsonNode)new JsonObject { ["Name"] = u.Name, ["Hard"] = u.Hard, ["Soft"] = u.Soft })]);
    }

    private static JsonNode Device(string spec)
    {
        var parts = spec.Split(':');
        var permissions = "rwm";
        var src = parts[0];
        var dst = src;
        if (parts.Length == 2)
        {
            if (parts[1].All(c => c is 'r' or 'w' or 'm'))
            {
                permissions = parts[1];
            }
            else
            {
                dst = parts[1];
            }
        }
        else if (parts.Length == 3)
        {
            dst = parts[1];
            permissions = parts[2];
        }

        return new JsonObject { ["PathOnHost"] = src, ["PathInContainer"] = dst, ["CgroupPermissions"] = permissions };
    }

    private static JsonNode WeightDevice(string spec)
    {
        var colon = spec.LastIndexOf(':');
        return new JsonObject { ["Path"] = colon < 0 ? spec : spec[..colon], ["Weight"] = colon < 0 ? 0 : long.Parse(spec.AsSpan(colon + 1), CultureInfo.InvariantCulture) };
    }

    private static JsonNode ThrottleDevice(string spec, bool bytes)
    {
        var colon = spec.LastIndexOf(':');
        var rate = colon < 0 ? "0" : spec[(colon + 1)..];
        long value = bytes ? GoParse.RamInBytes(rate) : long.Parse(rate, CultureInfo.InvariantCulture);
        return new JsonObject { ["Path"] = colon < 0 ? spec : spec[..colon], ["Rate"] = value };
    }

    public static JsonObject? KeyValueMap(IEnumerable<string> items)
    {
        var o = new JsonObject();
        foreach (var item in items)
        {
            var eq = item.IndexOf('=', StringComparison.Ordinal);
            o[eq < 0 ? item : item[..eq]] = eq < 0 ? string.Empty : item[(eq + 1)..];
        }

        return o;
    }

    public static JsonArray ToArray(IEnumerable<string> items) => new(items.Select(s => (JsonNode?)JsonValue.Create(s)).ToArray());

    private static JsonArray? NullIfEmpty(IReadOnlyList<string> items) => items.Count == 0 ? null : ToArray(items);
}
