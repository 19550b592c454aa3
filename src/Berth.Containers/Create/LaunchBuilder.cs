using Berth.Containers.Model;
using Berth.Core.Model;
using Berth.Runtime;

namespace Berth.Containers.Create;

/// <summary>Builds the runtime's <see cref="ContainerLaunch"/> from a container record.</summary>
public static class LaunchBuilder
{
    public const string DefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    public static IReadOnlyList<string> DefaultMaskedPaths { get; } =
    [
        "/proc/asound", "/proc/acpi", "/proc/interrupts", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
        "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware",
        "/sys/devices/virtual/powercap",
    ];

    public static IReadOnlyList<string> DefaultReadonlyPaths { get; } =
        ["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"];

    /// <summary>
    /// The process environment Docker gives a container: PATH, HOSTNAME, TERM=xterm with a TTY,
    /// the legacy links' variables, then the config's variables (which replace those in place,
    /// so an image's PATH still comes first, as in dockerd).
    /// </summary>
    public static IReadOnlyList<string> Environment(ContainerConfig config, bool tty, IReadOnlyList<string>? linkEnv = null)
    {
        var env = new List<string> { DefaultPath, "HOSTNAME=" + config.Hostname };
        if (tty)
        {
            env.Add("TERM=xterm");
        }

        env.AddRange(linkEnv ?? []);

        return ReplaceOrAppend(env, config.Env);
    }

    public static IReadOnlyList<string> ReplaceOrAppend(IReadOnlyList<string> defaults, IReadOnlyList<string> overrides)
    {
        var result = defaults.ToList();
        foreach (var o in overrides)
        {
            var key = ConfigMerger.EnvKey(o);
            var i = result.FindIndex(e => ConfigMerger.EnvKey(e) == key);
            if (i >= 0)
            {
                result[i] = o;
            }
            else
            {
                result.Add(o);
            }
        }

        return result;
    }

    /// <param name="c">The container.</param>
    /// <param name="rootfs">Its writable snapshot.</param>
    /// <param name="options">Daemon options.</param>
    /// <param name="networkMode">"none", "host" or a netns path to join (resolved from container:x).</param>
    /// <param name="ipcMode">"", "host" or a namespace path.</param>
    /// <param name="pidMode">"", "host" or a namespace path.</param>
    /// <param name="linkEnv">The variables of the container's legacy links (<see cref="LinkEnvironment"/>).</param>
    public static ContainerLaunch Build(Container c, RootfsMount rootfs, ContainerServiceOptions options, string networkMode, string ipcMode, string pidMode, IReadOnlyList<string>? linkEnv = null)
    {
        var hc = c.HostConfig;
        var mounts = new List<MountLaunch>();
        var userDestinations = new HashSet<string>(c.Mounts.Select(m => m.Destination), StringComparer.Ordinal);
        foreach (var (path, dst) in new[] { (c.ResolvConfPath, "/etc/resolv.conf"), (c.HostnamePath, "/etc/hostname"), (c.HostsPath, "/etc/hosts") })
        {
            if (!userDestinations.Contains(dst) && path.Length > 0)
            {
                mounts.Add(new MountLaunch(path, dst, "bind", ["rbind", "rprivate", hc.ReadonlyRootfs ? "ro" : "rw"]));
            }
        }

        foreach (var m in c.Mounts)
        {
            mounts.Add(m.Type switch
            {
                "tmpfs" => new MountLaunch("tmpfs", m.Destination, "tmpfs", m.Options),
                _ => new MountLaunch(m.Source, m.Destination, "bind", m.Options),
            });
        }

        foreach (var (dst, spec) in hc.Tmpfs ?? new Dictionary<string, string>())
        {
            mounts.Add(new MountLaunch("tmpfs", dst, "tmpfs", MountParser.TmpfsOptions(spec)));
        }

        var r = hc.Resources;
        var cgroupParent = r.CgroupParent.Length > 0 ? r.CgroupParent : options.CgroupParent;
        return new ContainerLaunch
        {
            Id = c.Id,
            Name = c.Name,
            Rootfs = rootfs,
            Process = new ProcessLaunch
            {
                Args = [c.Path, .. c.Args],
                Env = Environment(c.Config, c.Config.Tty, linkEnv),
                Cwd = c.Config.WorkingDir.Length > 0 ? c.Config.WorkingDir : "/",
                User = c.Config.User,
                AdditionalGroups = hc.GroupAdd ?? [],
                Tty = c.Config.Tty,
                OpenStdin = c.Config.OpenStdin,
                StdinOnce = c.Config.StdinOnce,
            },
            Hostname = c.Config.Hostname,
            Domainname = c.Config.Domainname,
            ReadonlyRootfs = hc.ReadonlyRootfs,
            Mounts = mounts,
            Resources = ToRuntime(r, hc.OomScoreAdj),
            // As dockerd's mergeUlimits: the container's own limits, then the daemon's defaults for the names it leaves out.
            Ulimits = [.. r.Ulimits, .. options.DefaultUlimits.Where(d => !r.Ulimits.Any(u => u.Name == d.Name))],
            NetworkMode = networkMode,
            IpcMode = ipcMode,
            PidMode = pidMode,
            UtsMode = hc.UtsMode,
            Privileged = hc.Privileged,
            Init = hc.Init ?? false,
            CapAdd = hc.CapAdd ?? [],
            CapDrop = hc.CapDrop ?? [],
            SecurityOpt = hc.SecurityOpt ?? [],
            Sysctls = hc.Sysctls ?? new Dictionary<string, string>(),
            ShmSize = hc.ShmSize,
            Devices = [.. r.Devices.Select(d => new DeviceLaunch(d.PathOnHost, d.PathInContainer.Length > 0 ? d.PathInContainer : d.PathOnHost, d.CgroupPermissions.Length > 0 ? d.CgroupPermissions : "rwm"))],
            MaskedPaths = hc.Privileged ? [] : hc.MaskedPaths ?? DefaultMaskedPaths,
            ReadonlyPaths = hc.Privileged ? [] : hc.ReadonlyPaths ?? DefaultReadonlyPaths,
            Runtime = hc.Runtime,
            CgroupPath = cgroupParent.TrimEnd('/') + "/" + c.Id,
            LogDriver = hc.LogConfig.Type,
            LogOptions = hc.LogConfig.Config,
            LogPath = c.LogPath,
            Labels = c.Config.Labels,
        };
    }

    public static ContainerResources ToRuntime(ResourceSpec r, int oomScoreAdj) => new()
    {
        Memory = r.Memory,
        MemorySwap = r.MemorySwap,
        MemoryReservation = r.MemoryReservation,
        NanoCpus = r.NanoCpus,
        CpuShares = r.CpuShares,
        CpuPeriod = r.CpuPeriod,
        CpuQuota = r.CpuQuota,
        CpusetCpus = r.CpusetCpus,
        CpusetMems = r.CpusetMems,
        PidsLimit = r.PidsLimit ?? 0,
        OomScoreAdj = oomScoreAdj == 0 ? null : oomScoreAdj,
        OomKillDisable = r.OomKillDisable ?? false,
        BlkioWeight = r.BlkioWeight,
    };
}
