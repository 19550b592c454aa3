using Berth.Containers.Model;
using Berth.Core.Model;
using Berth.Runtime;
using Berth.Runtime.Oci;

namespace Berth.Containers.Create;

/// <summary>Builds the runtime's <see cref="ContainerLaunch"/> from a container record.</summary>
public static class LaunchBuilder
{
    public const string DefaultPath = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

    /// <summary>What a container that does not choose its own masks gets (recorded at create, as Docker does).</summary>
    public static IReadOnlyList<string> DefaultMaskedPaths => OciSpecBuilder.DefaultMaskedPaths;

    public static IReadOnlyList<string> DefaultReadonlyPaths => OciSpecBuilder.DefaultReadonlyPaths;

    /// <summary>
    /// The network sysctls Docker sets for a container with a network namespace of its own (not host,
    /// not another container's): any user may open ports below 1024 and ICMP echo sockets, which the
    /// default capabilities grant root anyway. The container's own sysctls override them.
    /// </summary>
    public static IReadOnlyDictionary<string, string> DefaultNetworkSysctls { get; } = new Dictionary<string, string>
    {
        ["net.ipv4.ping_group_range"] = "0 2147483647",
        ["net.ipv4.ip_unprivileged_port_start"] = "0",
    }.Where(s => File.Exists("/proc/sys/" + s.Key.Replace('.', '/'))).ToDictionary();

    public static IReadOnlyDictionary<string, string> Sysctls(HostConfig hc)
    {
        var own = hc.Sysctls ?? new Dictionary<string, string>();
        if (hc.NetworkMode == "host" || hc.NetworkMode.StartsWith("container:", StringComparison.Ordinal))
        {
            return own;
        }

        var merged = new Dictionary<string, string>(DefaultNetworkSysctls);
        foreach (var (k, v) in own)
        {
            merged[k] = v;
        }

        return merged;
    }

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
            Sysctls = Sysctls(hc),
            ShmSize = hc.ShmSize,
            Devices = [.. r.Devices.Select(d => new DeviceLaunch(d.PathOnHost, d.PathInContainer.Length > 0 ? d.PathInContainer : d.PathOnHost, d.CgroupPermissions.Length > 0 ? d.CgroupPermissions : "rwm"))],
            DeviceCgroupRules = r.DeviceCgroupRules ?? [],
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
        MemorySwappiness = r.MemorySwappiness,
        BlkioWeightDevices = r.BlkioWeightDevice,
        BlkioReadBps = r.BlkioDeviceReadBps,
        BlkioWriteBps = r.BlkioDeviceWriteBps,
        BlkioReadIOps = r.BlkioDeviceReadIOps,
        BlkioWriteIOps = r.BlkioDeviceWriteIOps,
    };
}
