using System.Globalization;
using Berth.Containers.Model;
using Berth.Core.Errors;
using Berth.Core.Model;

namespace Berth.Containers.Create;

/// <summary>
/// Docker's checks on a create (and update) request, with Docker's messages, and the defaults it
/// fills in (MemorySwap twice Memory, ShmSize, runtime, log driver, cgroup namespace mode).
/// </summary>
public static class CreateValidator
{
    /// <summary>Docker's minimum for healthcheck durations (1 ms).</summary>
    public const long MinimumDurationNanos = 1_000_000;

    private const long MinimumMemory = 6 * 1024 * 1024;

    public static void ValidateConfig(ContainerConfig config)
    {
        if (config.WorkingDir.Length > 0 && !config.WorkingDir.StartsWith('/'))
        {
            throw BerthException.Invalid($"the working directory '{config.WorkingDir}' is invalid, it needs to be an absolute path");
        }

        if (!string.IsNullOrEmpty(config.StopSignal))
        {
            Signals.Parse(config.StopSignal);
        }

        foreach (var env in config.Env)
        {
            if (ConfigMerger.EnvKey(env).Length == 0)
            {
                throw BerthException.Invalid($"invalid environment variable: {env}");
            }
        }

        if (config.Hostname.Length > 63)
        {
            throw BerthException.Invalid($"hostname \"{config.Hostname}\" is too long (maximum 63 bytes)");
        }

        ValidateHealth(config.Healthcheck);
    }

    public static void ValidateHealth(HealthConfig? health)
    {
        if (health is null)
        {
            return;
        }

        static void Min(long v, string name)
        {
            if (v != 0 && v < MinimumDurationNanos)
            {
                throw BerthException.Invalid($"{name} in Healthcheck cannot be less than 1ms");
            }
        }

        Min(health.Interval, "Interval");
        Min(health.Timeout, "Timeout");
        if (health.Retries < 0)
        {
            throw BerthException.Invalid("Retries in Healthcheck cannot be negative");
        }

        Min(health.StartPeriod, "StartPeriod");
        Min(health.StartInterval, "StartInterval");
    }

    public static void ValidateRestartPolicy(RestartPolicy policy)
    {
        switch (policy.Name)
        {
            case RestartPolicy.Always or RestartPolicy.UnlessStopped or RestartPolicy.No:
                if (policy.MaximumRetryCount != 0)
                {
                    var msg = "invalid restart policy: maximum retry count can only be used with 'on-failure'";
                    throw BerthException.Invalid(policy.MaximumRetryCount < 0 ? msg + " and cannot be negative" : msg);
                }

                break;
            case RestartPolicy.OnFailure:
                if (policy.MaximumRetryCount < 0)
                {
                    throw BerthException.Invalid("invalid restart policy: maximum retry count cannot be negative");
                }

                break;
            case "":
                break;
            default:
                throw BerthException.Invalid($"invalid restart policy: unknown policy '{policy.Name}'; use one of 'no', 'always', 'on-failure', or 'unless-stopped'");
        }
    }

    /// <summary>Validates a HostConfig and fills in Docker's defaults; returns it with the warnings Docker would give.</summary>
    public static (HostConfig HostConfig, List<string> Warnings) PrepareHostConfig(HostConfig hc, ContainerServiceOptions options)
    {
        var warnings = new List<string>();
        var policy = hc.RestartPolicy.Name.Length == 0 ? RestartPolicy.None : hc.RestartPolicy;
        ValidateRestartPolicy(hc.RestartPolicy);
        if (hc.AutoRemove && !policy.IsNone)
        {
            throw BerthException.Invalid("can't create 'AutoRemove' container with restart policy");
        }

        Capabilities.Validate(hc.CapAdd, "CapAdd");
        Capabilities.Validate(hc.CapDrop, "CapDrop");

        if (hc.ShmSize < 0)
        {
            throw BerthException.Invalid("SHM size can not be less than 0");
        }

        if (hc.OomScoreAdj is < -1000 or > 1000)
        {
            throw BerthException.Invalid($"Invalid value {hc.OomScoreAdj}, range for oom score adj is [-1000, 1000]");
        }

        foreach (var h in hc.ExtraHosts ?? [])
        {
            var colon = h.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0 || colon == h.Length - 1)
            {
                throw BerthException.Invalid($"bad format for add-host: \"{h}\"");
            }
        }

        var mode = hc.NetworkMode is "" or "default" ? "bridge" : hc.NetworkMode;
        var resources = ValidateResources(hc.Resources, options, warnings);

        var runtime = string.IsNullOrEmpty(hc.Runtime) ? options.DefaultRuntime : hc.Runtime;
        if (!options.Runtimes.Contains(runtime))
        {
            throw BerthException.Invalid($"unknown or invalid runtime name: {runtime}");
        }

        var log = MergeLogConfig(hc.LogConfig, options);
        _ = Berth.Runtime.Logging.LogDriver.Resolve(log.Type, log.Config);

        var ipc = hc.IpcMode is "" ? "private" : hc.IpcMode;
        if (ipc is not ("private" or "shareable" or "host" or "none") && !ipc.StartsWith("container:", StringComparison.Ordinal))
        {
            throw BerthException.Invalid($"invalid IPC mode: {ipc}");
        }

        if (hc.PidMode is not ("" or "host") && !hc.PidMode.StartsWith("container:", StringComparison.Ordinal))
        {
            throw BerthException.Invalid($"invalid PID mode: {hc.PidMode}");
        }

        if (hc.UtsMode is not ("" or "host"))
        {
            throw BerthException.Invalid($"invalid UTS mode: {hc.UtsMode}");
        }

        var cgroupns = hc.CgroupnsMode is "" ? (options.CgroupV2 ? "private" : "host") : hc.CgroupnsMode;
        if (cgroupns is not ("host" or "private"))
        {
            throw BerthException.Invalid($"invalid cgroup namespace mode: {cgroupns}");
        }

        return (hc with
        {
            RestartPolicy = policy,
            NetworkMode = mode,
            Resources = resources,
            Runtime = runtime,
            LogConfig = log,
            IpcMode = ipc,
            CgroupnsMode = cgroupns,
            ShmSize = hc.ShmSize == 0 ? options.DefaultShmSize : hc.ShmSize,
        }, warnings);
    }

    public static ResourceSpec ValidateResources(ResourceSpec r, ContainerServiceOptions options, List<string> warnings)
    {
        r = DiscardUnsupported(r, options.CgroupFeatures, warnings);
        foreach (var u in r.Ulimits)
        {
            if (u.Validate() is { } ulimitError)
            {
                throw BerthException.Invalid(ulimitError);
            }
        }

        if (r.Memory != 0 && r.Memory < MinimumMemory)
        {
            throw BerthException.Invalid("Minimum memory limit allowed is 6MB");
        }

        if (r.MemorySwap > 0 && r.Memory == 0)
        {
            throw BerthException.Invalid("You should always set the Memory limit when using Memoryswap limit, see usage");
        }

        if (r.Memory > 0 && r.MemorySwap > 0 && r.MemorySwap < r.Memory)
        {
            throw BerthException.Invalid("Minimum memoryswap limit should be larger than memory limit, see usage");
        }

        if (r.MemorySwappiness is { } sw && sw != -1 && sw is < 0 or > 100)
        {
            throw BerthException.Invalid($"Invalid value: {sw}, valid memory swappiness range is 0-100");
        }

        if (r.MemoryReservation != 0 && r.MemoryReservation < MinimumMemory)
        {
            throw BerthException.Invalid("Minimum memory reservation allowed is 6MB");
        }

        if (r.Memory > 0 && r.MemoryReservation > 0 && r.Memory < r.MemoryReservation)
        {
            throw BerthException.Invalid("Minimum memory limit can not be less than memory reservation limit, see usage");
        }

        if (r.NanoCpus > 0 && r.CpuPeriod > 0)
        {
            throw BerthException.Invalid("Conflicting options: Nano CPUs and CPU Period cannot both be set");
        }

        if (r.NanoCpus > 0 && r.CpuQuota > 0)
        {
            throw BerthException.Invalid("Conflicting options: Nano CPUs and CPU Quota cannot both be set");
        }

        if (r.NanoCpus < 0 || r.NanoCpus > options.CpuCount * 1_000_000_000L)
        {
            throw BerthException.Invalid(string.Create(CultureInfo.InvariantCulture, $"range of CPUs is from 0.01 to {options.CpuCount}.00, as there are only {options.CpuCount} CPUs available"));
        }

        if (r.CpuPeriod != 0 && r.CpuPeriod is < 1000 or > 1_000_000)
        {
            throw BerthException.Invalid("CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1s (i.e. 1000000)");
        }

        if (r.CpuQuota > 0 && r.CpuQuota < 1000)
        {
            throw BerthException.Invalid("CPU cfs quota can not be less than 1ms (i.e. 1000)");
        }

        if (r.BlkioWeight > 0 && r.BlkioWeight is < 10 or > 1000)
        {
            throw BerthException.Invalid("Range of blkio weight is from 10 to 1000");
        }

        if (r.CpuShares < 0)
        {
            throw BerthException.Invalid($"invalid CPU shares ({r.CpuShares}): value must be a positive integer");
        }

        ValidateCpuset(r.CpusetCpus, "cpus", options.CpuCount);
        ValidateCpuset(r.CpusetMems, "mems", int.MaxValue);

        if (r.OomKillDisable == true && r.Memory == 0)
        {
            warnings.Add("OOM killer is disabled for the container, but no memory limit is set, this can result in the system running out of resources.");
        }

        foreach (var rule in r.DeviceCgroupRules ?? [])
        {
            Berth.Runtime.Oci.OciSpecBuilder.ParseDeviceCgroupRule(rule);
        }

        if (r.BlkioWeightDevice.FirstOrDefault(d => d.Weight is < 10 or > 1000) is { } badWeight)
        {
            throw BerthException.Invalid(string.Create(CultureInfo.InvariantCulture, $"invalid weight for device: {badWeight.Path}:{badWeight.Weight}: weight must be between 10 and 1000"));
        }

        return r with
        {
            MemorySwap = r.Memory > 0 && r.MemorySwap == 0 ? r.Memory * 2 : r.MemorySwap,
            PidsLimit = r.PidsLimit is > 0 ? r.PidsLimit : null,
            MemorySwappiness = r.MemorySwappiness is -1 ? null : r.MemorySwappiness,
        };
    }

    /// <summary>As dockerd's verifyPlatformContainerResources: what the kernel cannot apply is dropped with a warning, not refused.</summary>
    private static ResourceSpec DiscardUnsupported(ResourceSpec r, Berth.Platform.Cgroups.CgroupFeatures host, List<string> warnings)
    {
        if (r.MemorySwappiness is not (null or -1) && !host.MemorySwappiness)
        {
            warnings.Add("Your kernel does not support memory swappiness capabilities or the cgroup is not mounted. Memory swappiness discarded.");
            r = r with { MemorySwappiness = null };
        }

        if (r.BlkioWeight > 0 && !host.BlkioWeight)
        {
            warnings.Add("Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.");
            r = r with { BlkioWeight = 0 };
        }

        if (r.BlkioWeightDevice.Count > 0 && !host.BlkioWeightDevice)
        {
            warnings.Add("Your kernel does not support Block I/O weight_device or the cgroup is not mounted. Weight-device discarded.");
            r = r with { BlkioWeightDevice = [] };
        }

        if (r.BlkioDeviceReadBps.Count > 0 && !host.BlkioReadBpsDevice)
        {
            warnings.Add("Your kernel does not support BPS Block I/O read limit or the cgroup is not mounted. Block I/O BPS read limit discarded.");
            r = r with { BlkioDeviceReadBps = [] };
        }

        if (r.BlkioDeviceWriteBps.Count > 0 && !host.BlkioWriteBpsDevice)
        {
            warnings.Add("Your kernel does not support BPS Block I/O write limit or the cgroup is not mounted. Block I/O BPS write limit discarded.");
            r = r with { BlkioDeviceWriteBps = [] };
        }

        if (r.BlkioDeviceReadIOps.Count > 0 && !host.BlkioReadIOpsDevice)
        {
            warnings.Add("Your kernel does not support IOPS Block read limit or the cgroup is not mounted. Block I/O IOPS read limit discarded.");
            r = r with { BlkioDeviceReadIOps = [] };
        }

        if (r.BlkioDeviceWriteIOps.Count > 0 && !host.BlkioWriteIOpsDevice)
        {
            warnings.Add("Your kernel does not support IOPS Block write limit or the cgroup is not mounted. Block I/O IOPS write limit discarded.");
            r = r with { BlkioDeviceWriteIOps = [] };
        }

        return r;
    }

    private static void ValidateCpuset(string set, string kind, int available)
    {
        if (set.Length == 0)
        {
            return;
        }

        foreach (var part in set.Split(','))
        {
            var range = part.Split('-');
            if (range.Length is < 1 or > 2 || !range.All(x => int.TryParse(x, NumberStyles.None, CultureInfo.InvariantCulture, out _)))
            {
                throw BerthException.Invalid($"Invalid value {set} for cpuset {kind}");
            }

            var hi = int.Parse(range[^1], CultureInfo.InvariantCulture);
            if (hi >= available)
            {
                throw BerthException.Invalid($"Requested CPUs are not available - requested {set}, available: 0-{available - 1}");
            }
        }
    }

    /// <summary>
    /// dockerd's mergeAndVerifyLogConfig: no driver means the daemon's default; a container of
    /// the default driver gets each of the daemon's log-opts it did not set itself.
    /// </summary>
    private static LogConfig MergeLogConfig(LogConfig log, ContainerServiceOptions options)
    {
        var type = string.IsNullOrEmpty(log.Type) ? options.DefaultLogDriver : log.Type;
        if (type != options.DefaultLogDriver)
        {
            return log with { Type = type };
        }

        var merged = new Dictionary<string, string>(log.Config, StringComparer.Ordinal);
        foreach (var (key, value) in options.DefaultLogOptions)
        {
            merged.TryAdd(key, value);
        }

        return new LogConfig { Type = type, Config = merged };
    }
}
