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
            Flag.List("add-host", "Add a line to /etc/hosts (host:ip)"),
            Flag.List("annotation", "Annotation handed to the OCI runtime", "map", "map[]"),
            Flag.List("a|attach", "Stream to connect (stdin, stdout, stderr)"),
            Flag.UInt("blkio-weight", "Block I/O weight, 10 to 1000 (0 turns it off)", "0", "uint16"),
            Flag.List("blkio-weight-device", "Block I/O weight for one device (device:weight)", "list", "[]"),
            Flag.List("cap-add", "Grant these Linux capabilities"),
            Flag.List("cap-drop", "Remove these Linux capabilities"),
            Flag.String("cgroup-parent", "Cgroup to put the container under"),
            Flag.String("cgroupns", "Cgroup namespace (host|private)\n'host':    share the host's cgroup namespace\n'private': a cgroup namespace of the container's own\n'':        what the engine's default-cgroupns-mode says (default)"),
            Flag.String("cidfile", "Write the container's ID to this file"),
            Flag.NotImplemented(Flag.Int("cpu-count", "Number of CPUs (Windows containers only)")),
            Flag.NotImplemented(Flag.Int("cpu-percent", "Share of CPU in percent (Windows containers only)")),
            Flag.Int("cpu-period", "CFS scheduler period, in microseconds"),
            Flag.Int("cpu-quota", "CFS scheduler quota per period, in microseconds"),
            Flag.Int("cpu-rt-period", "Real-time scheduler period, in microseconds"),
            Flag.Int("cpu-rt-runtime", "Real-time scheduler runtime per period, in microseconds"),
            Flag.Int("c|cpu-shares", "Relative CPU weight"),
            Flag.Decimal("cpus", "CPUs the container may use (may be fractional)"),
            Flag.String("cpuset-cpus", "CPUs the container may run on (0-3, 0,1)"),
            Flag.String("cpuset-mems", "Memory nodes the container may use (0-3, 0,1)"),
            Flag.List("device", "Make a host device available in the container"),
            Flag.List("device-cgroup-rule", "Allow device access by a cgroup rule"),
            Flag.List("device-read-bps", "Cap reads from a device, in bytes per second", "list", "[]"),
            Flag.List("device-read-iops", "Cap reads from a device, in operations per second", "list", "[]"),
            Flag.List("device-write-bps", "Cap writes to a device, in bytes per second", "list", "[]"),
            Flag.List("device-write-iops", "Cap writes to a device, in operations per second", "list", "[]"),
            Flag.Bool("disable-content-trust", "Do not check image signatures", "true"),
            Flag.List("dns", "DNS servers"),
            Flag.List("dns-option", "resolv.conf options"),
            Flag.List("dns-search", "DNS search domains"),
            Flag.String("domainname", "NIS domain name inside the container"),
            Flag.String("entrypoint", "Use this entrypoint instead of the image's"),
            Flag.List("e|env", "Environment variable (NAME=value or NAME)"),
            Flag.List("env-file", "Read environment variables from a file"),
            Flag.List("expose", "Declare a port or range as exposed"),
            Flag.NotImplemented(Flag.String("gpus", "GPUs to give the container ('all' for every one)", null, "gpu-request")),
            Flag.List("group-add", "Supplementary groups for the process"),
            Flag.String("health-cmd", "Command that tells whether the container is healthy"),
            Flag.Duration("health-interval", "Time between checks (ms|s|m|h)"),
            Flag.Int("health-retries", "Failed checks in a row before the container counts as unhealthy"),
            Flag.Duration("health-start-interval", "Time between checks during the start period (ms|s|m|h)"),
            Flag.Duration("health-start-period", "Start-up time during which failed checks do not count (ms|s|m|h)"),
            Flag.Duration("health-timeout", "How long one check may take (ms|s|m|h)"),
            Flag.Bool("help", "Show this help"),
            Flag.String("h|hostname", "Host name inside the container"),
            Flag.Bool("init", "Run a small init as PID 1 that passes signals on and reaps zombies"),
            Flag.Bool("i|interactive", "Hold the standard input open while nothing is attached"),
            Flag.NotImplemented(Flag.Bytes("io-maxbandwidth", "System drive bandwidth cap (Windows containers only)")),
            Flag.NotImplemented(Flag.UInt("io-maxiops", "System drive operations cap (Windows containers only)")),
            Flag.String("ip", "Fixed IPv4 address (e.g., 172.30.100.104)"),
            Flag.String("ip6", "Fixed IPv6 address (e.g., 2001:db8::33)"),
            Flag.String("ipc", "IPC namespace (private, shareable, host, container:NAME)"),
            Flag.String("isolation", "Isolation technology (only \"default\" on Linux)"),
            Flag.Bytes("kernel-memory", "Kernel memory limit (ignored by recent kernels)"),
            Flag.List("l|label", "Label for the container"),
            Flag.List("label-file", "Read labels from a file, one per line"),
            Flag.List("link", "Legacy link to another container (name:alias)"),
            Flag.List("link-local-ip", "Link-local addresses of the container"),
            Flag.String("log-driver", "Where the container's output is logged (json-file, none, ...)"),
            Flag.List("log-opt", "Options of the log driver"),
            Flag.String("mac-address", "MAC address of the container (e.g., 92:d0:c6:0a:29:33)"),
            Flag.Bytes("m|memory", "Most memory the container may use"),
            Flag.Bytes("memory-reservation", "Memory the container is pushed back to under pressure"),
            Flag.Bytes("memory-swap", "Memory plus swap limit ('-1' for unlimited swap)"),
            Flag.Int("memory-swappiness", "How readily the container's memory is swapped (0 to 100)", "-1"),
            Flag.List("mount", "Mount a volume, bind or tmpfs (key=value list)", "mount"),
            Flag.String("name", "Name for the container"),
            Flag.List("network", "Network to join (name, host, none, container:NAME)", "network"),
            Flag.Alias("net", Flag.List("network", "Network to join (name, host, none, container:NAME)", "network")),
            Flag.List("network-alias", "Extra DNS name of the container on this network"),
            Flag.Alias("net-alias", Flag.List("network-alias", "Extra DNS name of the container on this network")),
            Flag.Bool("no-healthcheck", "Turn off the image's HEALTHCHECK"),
            Flag.Bool("oom-kill-disable", "Keep the kernel's OOM killer away from the container"),
            Flag.Int("oom-score-adj", "OOM score adjustment (-1000 to 1000)"),
            Flag.String("pid", "PID namespace (host, container:NAME)"),
            Flag.Int("pids-limit", "Most processes the container may have (-1 for no limit)"),
            Flag.String("platform", "Platform to use (os[/arch[/variant]])"),
            Flag.Bool("privileged", "Run with every capability, all devices and no confinement"),
            Flag.List("p|publish", "Make a container port reachable on the host ([ip:]host:container[/proto])"),
            Flag.Bool("P|publish-all", "Map every exposed port to a free host port"),
            Flag.String("pull", "When to pull the image before " + (run ? "running" : "creating") + " (\"always\", \"missing\", \"never\")", "missing"),
            Flag.Bool("q|quiet", "Print nothing while pulling"),
            Flag.Bool("read-only", "Make the container's root filesystem read-only"),
            Flag.String("restart", "What to do when the container exits (no, always, on-failure[:N], unless-stopped)", "no"),
            Flag.Bool("rm", "Delete the container and its anonymous volumes once it exits"),
            Flag.String("runtime", "OCI runtime for the container (runc, ...)"),
            Flag.List("security-opt", "Security options (seccomp=, no-new-privileges, ...)"),
            Flag.Bytes("shm-size", "Size of the container's /dev/shm"),
            Flag.String("stop-signal", "Signal that asks the container to stop"),
            Flag.Int("stop-timeout", "Grace period in seconds before the container is killed"),
            Flag.List("storage-opt", "Options for the container's storage"),
            Flag.List("sysctl", "Kernel parameter for the container (name=value)", "map", "map[]"),
            Flag.List("tmpfs", "Mount a tmpfs (path[:options])"),
            Flag.Bool("t|tty", "Give the process a terminal"),
            Flag.List("ulimit", "Resource limit (name=soft[:hard])", "ulimit", "[]"),
            Flag.NotImplemented(Flag.Bool("use-api-socket", "Mount the engine's API socket into the build")),
            Flag.String("u|user", "User and group to run as (<name|uid>[:<group|gid>])"),
            Flag.String("userns", "User namespace (host)"),
            Flag.String("uts", "UTS namespace (host)"),
            Flag.List("v|volume", "Mount a volume or host path (source:target[:options])"),
            Flag.String("volume-driver", "Volume driver for the container's volumes"),
            Flag.List("volumes-from", "Mount the volumes of another container (name[:ro|rw])"),
            Flag.String("w|workdir", "Directory the process starts in"),
        };
        if (run)
        {
            flags.Add(Flag.Bool("d|detach", "Return at once and print the container's ID"));
            flags.Add(Flag.String("detach-keys", "Keys that detach from the container"));
            flags.Add(Flag.Bool("sig-proxy", "Pass signals berth receives on to the process", "true"));
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
