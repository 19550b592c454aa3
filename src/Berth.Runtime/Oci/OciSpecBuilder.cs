using System.Globalization;
using Berth.Core.Errors;
using Berth.Platform.Files;

namespace Berth.Runtime.Oci;

/// <summary>
/// Builds a container's OCI config.json the way Docker does: default capabilities, seccomp,
/// masked and read-only paths, default mounts and devices, namespaces per mode, cgroup
/// resources, user resolution against the image's passwd/group.
/// </summary>
public sealed class OciSpecBuilder
{
    public const string InitPath = "/sbin/docker-init";

    /// <summary>
    /// Docker's masked paths (current Docker, a superset of 20.10's): /proc/interrupts and each CPU's
    /// thermal_throttle counters leak host activity (GHSA-6fw5-f8r9-fgfm), powercap leaks energy
    /// readings (GHSA-jq35-85cj-fj4p). The per-CPU paths are those this host has.
    /// </summary>
    public static IReadOnlyList<string> DefaultMaskedPaths { get; } = MaskedPathsFor("/sys/devices/system/cpu");

    /// <summary>The default masks with the thermal_throttle directories found under <paramref name="cpuDirectory"/>.</summary>
    public static IReadOnlyList<string> MaskedPathsFor(string cpuDirectory)
    {
        List<string> paths =
        [
            "/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
            "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
            "/sys/devices/virtual/powercap",
        ];
        IEnumerable<int> cpus = Directory.Exists(cpuDirectory)
            ? Directory.EnumerateDirectories(cpuDirectory, "cpu*")
                .Select(Path.GetFileName)
                .Where(n => n is { Length: > 3 } && n[3..].All(char.IsAsciiDigit))
                .Select(n => int.Parse(n![3..], CultureInfo.InvariantCulture))
                .Order()
            : [];
        foreach (var cpu in cpus)
        {
            if (Directory.Exists(Path.Combine(cpuDirectory, $"cpu{cpu}", "thermal_throttle")))
            {
                paths.Add($"/sys/devices/system/cpu/cpu{cpu}/thermal_throttle");
            }
        }

        return paths;
    }

    public static IReadOnlyList<string> DefaultReadonlyPaths { get; } =
    [
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
    ];

    private static readonly (char Type, long Major, long Minor)[] DefaultAllowedDevices =
    [
        ('c', 1, 3), ('c', 1, 8), ('c', 1, 7), ('c', 5, 0), ('c', 1, 5), ('c', 1, 9), ('c', 5, 1), ('c', 136, -1),
        ('c', 5, 2), ('c', 10, 200),
    ];

    private readonly string _initBinary;
    private readonly string _arch;
    private readonly Version _kernel;
    private readonly Func<string, IReadOnlyList<DeviceNode>> _hostDevices;
    private readonly SeccompDefault _seccompDefault;
    private readonly IReadOnlyList<string> _hostCapabilities;

    /// <param name="initBinary">Host path of the init bound in as /sbin/docker-init (tini-static).</param>
    /// <param name="arch">Docker's GOARCH name of the host, for seccomp.</param>
    /// <param name="kernel">Host kernel version, for seccomp minKernel.</param>
    /// <param name="hostDevices">Enumerates host devices (a path's device or everything under a directory).</param>
    /// <param name="seccompDefault">The daemon's default profile (null: Docker's built-in one).</param>
    /// <param name="hostCapabilities">What "all capabilities" means here (default: this process's bounding set).</param>
    public OciSpecBuilder(
        string initBinary,
        string? arch = null,
        Version? kernel = null,
        Func<string, IReadOnlyList<DeviceNode>>? hostDevices = null,
        SeccompDefault? seccompDefault = null,
        IReadOnlyList<string>? hostCapabilities = null)
    {
        _hostCapabilities = hostCapabilities ?? Capabilities.ReadHostBounding();
        _seccompDefault = seccompDefault ?? SeccompDefault.Docker;
        _initBinary = initBinary;
        _arch = arch ?? SeccompCompiler.HostArch;
        _kernel = kernel ?? SeccompCompiler.HostKernel();
        _hostDevices = hostDevices ?? DefaultHostDevices;
    }

    /// <param name="launch">What to run.</param>
    /// <param name="passwd">The rootfs's /etc/passwd (null when missing).</param>
    /// <param name="group">The rootfs's /etc/group (null when missing).</param>
    public OciSpec Build(ContainerLaunch launch, string? passwd, string? group)
    {
        ArgumentNullException.ThrowIfNull(launch);
        var security = SecurityOptions.Parse(launch.SecurityOpt);
        var caps = Capabilities.Compute(launch.CapAdd, launch.CapDrop, launch.Privileged, _hostCapabilities);
        var user = UserResolver.Resolve(launch.Process.User, launch.Process.AdditionalGroups, passwd, group);

        var spec = new OciSpec
        {
            Root = new OciRoot { Path = "rootfs", Readonly = launch.ReadonlyRootfs },
        };

        var args = launch.Process.Args.ToList();
        if (args.Count == 0)
        {
            throw BerthException.Invalid("no command specified");
        }

        if (launch.Init)
        {
            args.InsertRange(0, [InitPath, "--"]);
        }

        spec.Process = new OciProcess
        {
            Terminal = launch.Process.Tty,
            User = new OciUser { Uid = user.Uid, Gid = user.Gid, AdditionalGids = user.AdditionalGids.Count > 0 ? [.. user.AdditionalGids] : null },
            Args = args,
            Env = WithHome(launch.Process.Env, user.Home),
            Cwd = string.IsNullOrEmpty(launch.Process.Cwd) ? "/" : launch.Process.Cwd,
            Capabilities = CapabilitySets(caps, user.Uid),
            // As Docker: --ulimit/default-ulimits become rlimits (-1 = RLIM_INFINITY); without
            // any, none in the spec, so the container inherits the engine's limits.
            Rlimits = launch.Ulimits.Count == 0 ? null : [.. launch.Ulimits.Select(u => new OciRlimit { Type = u.RlimitType, Soft = unchecked((ulong)u.Soft), Hard = unchecked((ulong)u.Hard) })],
            NoNewPrivileges = security.NoNewPrivileges,
            OomScoreAdj = launch.Resources.OomScoreAdj,
        };

        var linux = spec.Linux;
        linux.CgroupsPath = launch.CgroupPath;
        AddNamespaces(launch, linux);
        var ownUts = !linux.Namespaces.Any(n => n.Type == "uts" && n.Path is not null) && launch.UtsMode != "host";
        if (ownUts)
        {
            spec.Hostname = launch.Hostname.Length > 0 ? launch.Hostname : null;
            spec.Domainname = launch.Domainname.Length > 0 ? launch.Domainname : null;
        }

        spec.Mounts = BuildMounts(launch, security);
        linux.Resources = BuildResources(launch.Resources);
        linux.Resources.Devices = BuildDeviceRules(launch, out var devices);
        linux.Devices = devices.Count > 0 ? devices : null;
        linux.Sysctl = launch.Sysctls.Count > 0 ? new Dictionary<string, string>(launch.Sysctls) : null;

        if (!launch.Privileged && !security.UnconfinedPaths)
        {
            linux.MaskedPaths = [.. launch.MaskedPaths.Count > 0 ? launch.MaskedPaths : DefaultMaskedPaths];
            linux.ReadonlyPaths = [.. launch.ReadonlyPaths.Count > 0 ? launch.ReadonlyPaths : DefaultReadonlyPaths];
        }

        if (!launch.Privileged && !security.SeccompUnconfined)
        {
            // A profile the container names is Docker's whole reading of it (sub-architectures
            // included); otherwise the daemon's default, which may be unconfined.
            if (security.SeccompProfileJson is { } json)
            {
                linux.Seccomp = SeccompCompiler.Compile(SeccompCompiler.ParseProfile(json), caps, _arch, _kernel);
            }
            else if (security.SeccompBuiltin)
            {
                linux.Seccomp = SeccompCompiler.Compile(SeccompCompiler.DefaultProfile, caps, _arch, _kernel);
            }
            else if (_seccompDefault.Profile is { } profile)
            {
                linux.Seccomp = SeccompCompiler.Compile(profile, caps, _arch, _kernel, _seccompDefault.IncludeSubArchitectures);
            }
        }

        return spec;
    }

    /// <summary>
    /// As dockerd: root gets its capabilities effective and permitted; any other user only the
    /// bounding set (the kernel would clear the others at execve anyway, so the spec says so).
    /// </summary>
    private static OciCapabilities CapabilitySets(IReadOnlyList<string> caps, uint uid) => uid == 0
        ? new OciCapabilities { Bounding = [.. caps], Effective = [.. caps], Permitted = [.. caps] }
        : new OciCapabilities { Bounding = [.. caps], Effective = [], Permitted = [] };

    /// <summary>The process.json for `runc exec`: the container's process settings with the exec's overrides.</summary>
    /// <param name="hostCapabilities">What `--privileged` grants: the host's bounding set (read when null), as for containers.</param>
    public static OciProcess BuildExecProcess(OciSpec container, ExecLaunch exec, string? passwd, string? group, IReadOnlyList<string>? hostCapabilities = null)
    {
        ArgumentNullException.ThrowIfNull(container);
        ArgumentNullException.ThrowIfNull(exec);
        var baseProcess = container.Process;
        var user = exec.User.Length > 0
            ? UserResolver.Resolve(exec.User, [], passwd, group)
            : new ResolvedUser(baseProcess.User.Uid, baseProcess.User.Gid, baseProcess.User.AdditionalGids ?? [], "/");
        var caps = exec.Privileged ? [.. hostCapabilities ?? Capabilities.ReadHostBounding()] : baseProcess.Capabilities?.Bounding ?? [.. Capabilities.Default];
        return new OciProcess
        {
            Terminal = exec.Tty,
            User = new OciUser { Uid = user.Uid, Gid = user.Gid, AdditionalGids = user.AdditionalGids.Count > 0 ? [.. user.AdditionalGids] : null },
            Args = [.. exec.Args],
            Env = MergeEnv(baseProcess.Env, exec.Env),
            Cwd = exec.Cwd.Length > 0 ? exec.Cwd : baseProcess.Cwd,
            Capabilities = CapabilitySets(caps, user.Uid),
            Rlimits = baseProcess.Rlimits,
            NoNewPrivileges = baseProcess.NoNewPrivileges,
        };
    }

    private static List<string> MergeEnv(IEnumerable<string> baseEnv, IEnumerable<string> overrides)
    {
        var result = new List<string>(baseEnv);
        foreach (var e in overrides)
        {
            var key = e.Split('=', 2)[0];
            result.RemoveAll(x => x.Split('=', 2)[0] == key);
            result.Add(e);
        }

        return result;
    }

    private static List<string> WithHome(IReadOnlyList<string> env, string home)
    {
        var result = env.ToList();
        if (!result.Any(e => e.StartsWith("HOME=", StringComparison.Ordinal)))
        {
            result.Add("HOME=" + home);
        }

        return result;
    }

    private static void AddNamespaces(ContainerLaunch launch, OciLinux linux)
    {
        linux.Namespaces.Add(new OciNamespace { Type = "mount" });
        AddMode(linux, "network", launch.NetworkMode switch
        {
            "none" or "" => string.Empty,
            _ => launch.NetworkMode,
        }, "network mode");
        AddMode(linux, "ipc", launch.IpcMode is "private" or "shareable" or "none" ? string.Empty : launch.IpcMode, "ipc mode");
        AddMode(linux, "pid", launch.PidMode, "pid mode");
        AddMode(linux, "uts", launch.UtsMode, "uts mode");
    }

    private static void AddMode(OciLinux linux, string type, string mode, string what)
    {
        if (mode == "host")
        {
            return;
        }

        if (mode.Length == 0)
        {
            linux.Namespaces.Add(new OciNamespace { Type = type });
            return;
        }

        if (mode.StartsWith('/'))
        {
            linux.Namespaces.Add(new OciNamespace { Type = type, Path = mode });
            return;
        }

        throw BerthException.Invalid($"invalid {what}: {mode}");
    }

    private List<OciMount> BuildMounts(ContainerLaunch launch, SecurityOptions security)
    {
        var sysRo = launch.Privileged ? new List<string>() : ["ro"];
        var mounts = new List<OciMount>
        {
            new() { Destination = "/proc", Type = "proc", Source = "proc", Options = ["nosuid", "noexec", "nodev"] },
            new() { Destination = "/dev", Type = "tmpfs", Source = "tmpfs", Options = ["nosuid", "strictatime", "mode=755", "size=65536k"] },
            new() { Destination = "/dev/pts", Type = "devpts", Source = "devpts", Options = ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"] },
            new() { Destination = "/sys", Type = "sysfs", Source = "sysfs", Options = ["nosuid", "noexec", "nodev", .. sysRo] },
            new() { Destination = "/sys/fs/cgroup", Type = "cgroup", Source = "cgroup", Options = ["nosuid", "noexec", "nodev", "relatime", .. sysRo] },
            new() { Destination = "/dev/mqueue", Type = "mqueue", Source = "mqueue", Options = ["nosuid", "noexec", "nodev"] },
        };
        if (launch.IpcMode != "none" && launch.IpcMode != "host" && !launch.IpcMode.StartsWith('/'))
        {
            var shm = launch.ShmSize > 0 ? launch.ShmSize : 64L * 1024 * 1024;
            mounts.Add(new OciMount
            {
                Destination = "/dev/shm",
                Type = "tmpfs",
                Source = "shm",
                Options = ["nosuid", "noexec", "nodev", "mode=1777", "size=" + shm.ToString(CultureInfo.InvariantCulture)],
            });
        }

        if (launch.IpcMode == "host")
        {
            mounts.Add(new OciMount { Destination = "/dev/shm", Type = "bind", Source = "/dev/shm", Options = ["rbind", "nosuid", "noexec", "nodev"] });
        }

        if (launch.Init)
        {
            mounts.Add(new OciMount { Destination = InitPath, Type = "bind", Source = _initBinary, Options = ["bind", "ro"] });
        }

        foreach (var m in launch.Mounts)
        {
            // A user mount replaces a default one at the same place (e.g. -v /dev/shm:/dev/shm).
            mounts.RemoveAll(d => d.Destination == m.Destination.TrimEnd('/'));
            mounts.Add(ToOciMount(m));
        }

        _ = security;
        return mounts;
    }

    private static OciMount ToOciMount(MountLaunch m)
    {
        var options = m.Options.ToList();
        switch (m.Type)
        {
            case "bind":
                if (!options.Contains("bind") && !options.Contains("rbind"))
                {
                    options.Insert(0, "rbind");
                }

                if (!options.Any(o => o is "private" or "rprivate" or "shared" or "rshared" or "slave" or "rslave"))
                {
                    options.Add("rprivate");
                }

                return new OciMount { Destination = m.Destination, Type = "bind", Source = m.Source, Options = options };
            case "tmpfs":
                foreach (var (on, off) in new[] { ("noexec", "exec"), ("nosuid", "suid"), ("nodev", "dev") })
                {
                    if (!options.Contains(on) && !options.Contains(off))
                    {
                        options.Add(on);
                    }
                }

                options.RemoveAll(o => o is "exec" or "suid" or "dev");
                return new OciMount { Destination = m.Destination, Type = "tmpfs", Source = "tmpfs", Options = options };
            default:
                return new OciMount { Destination = m.Destination, Type = m.Type, Source = m.Source, Options = options };
        }
    }

    /// <summary>The resources JSON for `runc update` (no device rules: those cannot change).</summary>
    public static OciResources BuildResourcesForUpdate(ContainerResources resources)
    {
        ArgumentNullException.ThrowIfNull(resources);
        return BuildResources(resources);
    }

    private static OciResources BuildResources(ContainerResources r)
    {
        var res = new OciResources();
        if (r.Memory != 0 || r.MemorySwap != 0 || r.MemoryReservation != 0 || r.OomKillDisable || r.MemorySwappiness is not null)
        {
            long? swap = r.MemorySwap switch
            {
                -1 => -1,
                0 when r.Memory > 0 => r.Memory * 2,
                0 => null,
                _ => r.MemorySwap,
            };
            if (r.MemorySwap > 0 && r.Memory > 0 && r.MemorySwap < r.Memory)
            {
                throw BerthException.Invalid("Minimum memoryswap limit should be larger than memory limit, see usage");
            }

            res.Memory = new OciMemory
            {
                Limit = r.Memory > 0 ? r.Memory : null,
                Reservation = r.MemoryReservation > 0 ? r.MemoryReservation : null,
                Swap = swap,
                DisableOOMKiller = r.OomKillDisable ? true : null,
                Swappiness = r.MemorySwappiness is >= 0 and var sw ? (ulong)sw : null,
            };
        }

        if (r.NanoCpus > 0 && (r.CpuQuota > 0 || r.CpuPeriod > 0))
        {
            throw BerthException.Invalid("Conflicting options: Nano CPUs and CPU Period cannot both be set");
        }

        if (r.CpuShares > 0 || r.CpuQuota != 0 || r.CpuPeriod > 0 || r.NanoCpus > 0 || r.CpusetCpus.Length > 0 || r.CpusetMems.Length > 0)
        {
            var cpu = new OciCpu
            {
                Shares = r.CpuShares > 0 ? (ulong)r.CpuShares : null,
                Cpus = r.CpusetCpus.Length > 0 ? r.CpusetCpus : null,
                Mems = r.CpusetMems.Length > 0 ? r.CpusetMems : null,
            };
            if (r.NanoCpus > 0)
            {
                const long period = 100_000;
                cpu.Period = period;
                cpu.Quota = r.NanoCpus * period / 1_000_000_000;
            }
            else
            {
                cpu.Period = r.CpuPeriod > 0 ? (ulong)r.CpuPeriod : null;
                cpu.Quota = r.CpuQuota != 0 ? r.CpuQuota : null;
            }

            res.Cpu = cpu;
        }

        if (r.PidsLimit > 0)
        {
            res.Pids = new OciPids { Limit = r.PidsLimit };
        }

        if (r.BlkioWeight > 0)
        {
            if (r.BlkioWeight is < 10 or > 1000)
            {
                throw BerthException.Invalid("Range of blkio weight is from 10 to 1000");
            }

            res.BlockIO = new OciBlockIo { Weight = (ushort)r.BlkioWeight };
        }

        if (r.BlkioWeightDevices.Count > 0 || r.BlkioReadBps.Count > 0 || r.BlkioWriteBps.Count > 0 || r.BlkioReadIOps.Count > 0 || r.BlkioWriteIOps.Count > 0)
        {
            res.BlockIO ??= new OciBlockIo();
            res.BlockIO.WeightDevice = Nullable(r.BlkioWeightDevices.Select(d =>
            {
                var (major, minor) = DeviceNumbers(d.Path);
                return new OciWeightDevice { Major = major, Minor = minor, Weight = d.Weight };
            }));
            res.BlockIO.ThrottleReadBpsDevice = Throttles(r.BlkioReadBps);
            res.BlockIO.ThrottleWriteBpsDevice = Throttles(r.BlkioWriteBps);
            res.BlockIO.ThrottleReadIOPSDevice = Throttles(r.BlkioReadIOps);
            res.BlockIO.ThrottleWriteIOPSDevice = Throttles(r.BlkioWriteIOps);
        }

        return res;
    }

    private static List<OciThrottleDevice>? Throttles(IReadOnlyList<BlkioDeviceRate> rates) => Nullable(rates.Select(d =>
    {
        var (major, minor) = DeviceNumbers(d.Path);
        return new OciThrottleDevice { Major = major, Minor = minor, Rate = d.Rate };
    }));

    private static List<T>? Nullable<T>(IEnumerable<T> items) => items.ToList() is { Count: > 0 } list ? list : null;

    /// <summary>The device numbers of a host device node, as dockerd takes them (stat, following links; any node type).</summary>
    private static (long Major, long Minor) DeviceNumbers(string path) =>
        DeviceNode.TryStat(path) is { } node ? (node.Major, node.Minor)
        : File.Exists(path) || Directory.Exists(path) ? throw BerthException.Invalid($"{path} is not a device node")
        : throw BerthException.Invalid($"stat {path}: no such file or directory");

    /// <summary>
    /// Parses a --device-cgroup-rule as dockerd does: "TYPE MAJOR:MINOR ACCESS" with TYPE one of
    /// a, b, c, numbers or *, and ACCESS made of r, w and m.
    /// </summary>
    public static OciDeviceRule ParseDeviceCgroupRule(string rule)
    {
        ArgumentNullException.ThrowIfNull(rule);
        var parts = rule.Split(' ');
        var numbers = parts.Length == 3 ? parts[1].Split(':') : [];
        if (parts.Length != 3 || parts[0] is not ("a" or "b" or "c") || numbers.Length != 2
            || !numbers.All(n => n == "*" || n.Length > 0 && n.All(char.IsAsciiDigit))
            || parts[2].Length is 0 or > 3 || !parts[2].All(c => c is 'r' or 'w' or 'm'))
        {
            throw BerthException.Invalid($"invalid device cgroup rule format: '{rule}'");
        }

        long? Number(string n) => n == "*" ? null : long.Parse(n, CultureInfo.InvariantCulture);
        return new OciDeviceRule { Allow = true, Type = parts[0], Major = Number(numbers[0]), Minor = Number(numbers[1]), Access = parts[2] };
    }

    private List<OciDeviceRule> BuildDeviceRules(ContainerLaunch launch, out List<OciDevice> devices)
    {
        devices = [];
        if (launch.Privileged)
        {
            foreach (var d in _hostDevices("/dev"))
            {
                devices.Add(ToOciDevice(d, d.Path));
            }

            return [new OciDeviceRule { Allow = true, Access = "rwm" }];
        }

        var rules = new List<OciDeviceRule>
        {
            new() { Allow = false, Access = "rwm" },
            new() { Allow = true, Type = "c", Access = "m" },
            new() { Allow = true, Type = "b", Access = "m" },
        };
        foreach (var (type, major, minor) in DefaultAllowedDevices)
        {
            rules.Add(new OciDeviceRule { Allow = true, Type = type.ToString(), Major = major, Minor = minor < 0 ? null : minor, Access = "rwm" });
        }

        rules.AddRange(launch.DeviceCgroupRules.Select(ParseDeviceCgroupRule));

        foreach (var d in launch.Devices)
        {
            var found = _hostDevices(d.HostPath);
            if (found.Count == 0)
            {
                throw BerthException.Invalid($"error gathering device information while adding custom device \"{d.HostPath}\": no such file or directory");
            }

            var permissions = d.Permissions.Length > 0 ? d.Permissions : "rwm";
            if (permissions.Any(c => c is not ('r' or 'w' or 'm')))
            {
                throw BerthException.Invalid($"invalid device mode: {d.Permissions}");
            }

            foreach (var node in found)
            {
                var containerPath = found.Count == 1 && node.Path == d.HostPath
                    ? (d.ContainerPath.Length > 0 ? d.ContainerPath : d.HostPath)
                    : (d.ContainerPath.Length > 0 ? d.ContainerPath : d.HostPath).TrimEnd('/') + node.Path[d.HostPath.TrimEnd('/').Length..];
                devices.Add(ToOciDevice(node, containerPath));
                rules.Add(new OciDeviceRule { Allow = true, Type = node.Type.ToString(), Major = node.Major, Minor = node.Minor, Access = permissions });
            }
        }

        return rules;
    }

    private static OciDevice ToOciDevice(DeviceNode d, string containerPath) => new()
    {
        Path = containerPath,
        Type = d.Type.ToString(),
        Major = d.Major,
        Minor = d.Minor,
        FileMode = d.Mode,
        Uid = d.Uid,
        Gid = d.Gid,
    };

    private static IReadOnlyList<DeviceNode> DefaultHostDevices(string path)
    {
        if (Directory.Exists(path))
        {
            return DeviceNode.Under(path);
        }

        return DeviceNode.TryStat(path) is { } d ? [d with { Path = path }] : [];
    }
}
