using System.Text.Json;
using Berth.Api.Networks;
using Berth.Containers;
using Berth.Containers.Model;
using Berth.Containers.Query;
using Berth.Core.Errors;
using Berth.Core.Model;
using Berth.Daemon.Http.Networks;
using Berth.Networking.Model;
using Berth.Networking.Ports;
using Domain = Berth.Containers.Model;
using Wire = Berth.Api.Containers;

namespace Berth.Daemon.Http.Containers;

/// <summary>
/// Wire ↔ engine for containers: the create request becomes engine types (options Berth does not
/// implement are refused here, by name, when they are set), and records become Docker's inspect
/// and list shapes with Docker's defaults.
/// </summary>
public static class ContainerMapper
{
    public static CreateContainerRequest ToCreate(Wire.ContainerCreateRequest body, string? name, string? platform, string apiVersion = Berth.Api.ApiVersions.Current)
    {
        // dockerd's create route refuses (not ignores) a subpath sent at an older version.
        if (Berth.Api.ApiVersions.Compare(apiVersion, "1.45") < 0
            && body.HostConfig?.Mounts?.Any(m => Berth.Daemon.Http.Volumes.VolumeMountOptions.Parse(m.VolumeOptions).Subpath.Length > 0) == true)
        {
            throw BerthException.Invalid("VolumeOptions.Subpath needs API v1.45 or newer");
        }

        var config = ToConfig(body);
        var hc = body.HostConfig is null ? new Domain.HostConfig() : ToHostConfig(body.HostConfig);
        var endpoints = body.NetworkingConfig?.EndpointsConfig?.ToDictionary(kv => kv.Key, kv => NetworksMapper.ToEndpointRequest(kv.Value), StringComparer.Ordinal)
            ?? new Dictionary<string, EndpointRequest>(StringComparer.Ordinal);
        return new CreateContainerRequest { Name = name, Config = config, HostConfig = hc, NetworkEndpoints = endpoints, Platform = platform };
    }

    public static Domain.ContainerConfig ToConfig(Wire.ContainerConfig c)
    {
        return new Domain.ContainerConfig
        {
            Hostname = c.Hostname ?? string.Empty,
            Domainname = c.Domainname ?? string.Empty,
            User = c.User ?? string.Empty,
            AttachStdin = c.AttachStdin,
            AttachStdout = c.AttachStdout,
            AttachStderr = c.AttachStderr,
            ExposedPorts = c.ExposedPorts is { Count: > 0 } ports ? [.. ports.Keys.Select(NormalizePort)] : null,
            Tty = c.Tty,
            OpenStdin = c.OpenStdin,
            StdinOnce = c.StdinOnce,
            Env = c.Env ?? [],
            Cmd = c.Cmd,
            Healthcheck = c.Healthcheck is { } h ? new Core.Model.HealthConfig
            {
                Test = h.Test,
                Interval = h.Interval,
                Timeout = h.Timeout,
                StartPeriod = h.StartPeriod,
                StartInterval = h.StartInterval,
                Retries = h.Retries,
            } : null,
            ArgsEscaped = c.ArgsEscaped ?? false,
            Image = c.Image ?? string.Empty,
            Volumes = c.Volumes is { Count: > 0 } vols ? [.. vols.Keys] : null,
            WorkingDir = c.WorkingDir ?? string.Empty,
            Entrypoint = c.Entrypoint,
            NetworkDisabled = c.NetworkDisabled ?? false,
            OnBuild = c.OnBuild,
            Labels = c.Labels ?? new Dictionary<string, string>(),
            StopSignal = string.IsNullOrEmpty(c.StopSignal) ? null : c.StopSignal,
            StopTimeout = c.StopTimeout,
            Shell = c.Shell,
            MacAddress = string.IsNullOrEmpty(c.MacAddress) ? null : c.MacAddress,
        };
    }

    private static string NormalizePort(string port) => port.Contains('/', StringComparison.Ordinal) ? port : port + "/tcp";

    public static Domain.HostConfig ToHostConfig(Wire.HostConfig h)
    {
        Refuse(h.VolumeDriver is { Length: > 0 } vd && vd != "local", $"--volume-driver {h.VolumeDriver} is not supported: only the local driver exists");
        Refuse(!string.IsNullOrEmpty(h.Cgroup), "--cgroup is not supported");
        Refuse(h.UsernsMode is { Length: > 0 } and not "host", "--userns is not supported");
        Refuse(h.StorageOpt is { Count: > 0 }, "--storage-opt is not supported");
        Refuse(h.Isolation is { Length: > 0 } and not "default", $"invalid isolation '{h.Isolation}' on linux");
        Refuse(h.Annotations is { Count: > 0 }, "--annotation is not supported yet");
        Refuse(h.CpuRealtimePeriod != 0 || h.CpuRealtimeRuntime != 0, "--cpu-rt-period/--cpu-rt-runtime are not supported");
        Refuse(h.DeviceRequests is { Count: > 0 }, "--gpus (device requests) is not supported");
        Refuse(h.KernelMemory != 0 || h.KernelMemoryTCP != 0, "--kernel-memory is not supported (deprecated by Docker)");
        if (h.CpuCount != 0 || h.CpuPercent != 0 || h.IOMaximumIOps != 0 || h.IOMaximumBandwidth != 0)
        {
            throw BerthException.Invalid("Invalid QoS settings: linux does not support CpuCount, CpuPercent, IOMaximumIOps or IOMaximumBandwidth");
        }

        var restart = h.RestartPolicy is { } rp ? new Domain.RestartPolicy(rp.Name ?? string.Empty, rp.MaximumRetryCount) : Domain.RestartPolicy.None;
        return new Domain.HostConfig
        {
            Binds = h.Binds,
            Mounts = h.Mounts?.Select(ToMountSpec).ToList(),
            Tmpfs = h.Tmpfs,
            VolumesFrom = h.VolumesFrom,
            LogConfig = new Domain.LogConfig { Type = h.LogConfig?.Type ?? string.Empty, Config = h.LogConfig?.Config ?? new Dictionary<string, string>() },
            NetworkMode = h.NetworkMode ?? string.Empty,
            PortBindings = h.PortBindings is { Count: > 0 } pb
                ? pb.ToDictionary(
                    kv => NormalizePort(kv.Key),
                    kv => (IReadOnlyList<PortBindingRequest>)[.. (kv.Value ?? []).Select(b => new PortBindingRequest(b.HostIp ?? string.Empty, b.HostPort ?? string.Empty))],
                    StringComparer.Ordinal)
                : null,
            PublishAllPorts = h.PublishAllPorts,
            Links = h.Links is { Count: > 0 } links ? links : null,
            RestartPolicy = restart,
            AutoRemove = h.AutoRemove,
            ConsoleSize = h.ConsoleSize,
            CapAdd = h.CapAdd,
            CapDrop = h.CapDrop,
            CgroupnsMode = h.CgroupnsMode ?? string.Empty,
            Dns = h.Dns ?? [],
            DnsOptions = h.DnsOptions ?? [],
            DnsSearch = h.DnsSearch ?? [],
            ExtraHosts = h.ExtraHosts,
            GroupAdd = h.GroupAdd,
            IpcMode = h.IpcMode ?? string.Empty,
            PidMode = h.PidMode ?? string.Empty,
            UtsMode = h.UTSMode ?? string.Empty,
            OomScoreAdj = h.OomScoreAdj,
            Privileged = h.Privileged,
            ReadonlyRootfs = h.ReadonlyRootfs,
            SecurityOpt = h.SecurityOpt,
            ShmSize = h.ShmSize,
            Sysctls = h.Sysctls,
            Runtime = h.Runtime ?? string.Empty,
            MaskedPaths = h.MaskedPaths,
            ReadonlyPaths = h.ReadonlyPaths,
            Init = h.Init,
            Resources = new ResourceSpec
            {
                CpuShares = h.CpuShares,
                Memory = h.Memory,
                CgroupParent = h.CgroupParent ?? string.Empty,
                BlkioWeight = h.BlkioWeight,
                BlkioWeightDevice = h.BlkioWeightDevice?.Select(d => new Berth.Runtime.BlkioDeviceWeight(d.Path ?? string.Empty, d.Weight)).ToList() ?? [],
                BlkioDeviceReadBps = Rates(h.BlkioDeviceReadBps),
                BlkioDeviceWriteBps = Rates(h.BlkioDeviceWriteBps),
                BlkioDeviceReadIOps = Rates(h.BlkioDeviceReadIOps),
                BlkioDeviceWriteIOps = Rates(h.BlkioDeviceWriteIOps),
                DeviceCgroupRules = h.DeviceCgroupRules,
                CpuPeriod = h.CpuPeriod,
                CpuQuota = h.CpuQuota,
                CpusetCpus = h.CpusetCpus ?? string.Empty,
                CpusetMems = h.CpusetMems ?? string.Empty,
                Devices = h.Devices?.Select(d => new Domain.DeviceMapping(d.PathOnHost ?? string.Empty, d.PathInContainer ?? string.Empty, d.CgroupPermissions ?? string.Empty)).ToList() ?? [],
                MemoryReservation = h.MemoryReservation,
                MemorySwap = h.MemorySwap,
                MemorySwappiness = h.MemorySwappiness,
                NanoCpus = h.NanoCpus,
                OomKillDisable = h.OomKillDisable,
                PidsLimit = h.PidsLimit,
                Ulimits = h.Ulimits?.Select(u => new Berth.Core.Model.Ulimit(u.Name, u.Soft, u.Hard)).ToList() ?? [],
            },
        };
    }

    private static List<Berth.Runtime.BlkioDeviceRate> Rates(List<Wire.ThrottleDevice>? devices) =>
        devices?.Select(d => new Berth.Runtime.BlkioDeviceRate(d.Path ?? string.Empty, d.Rate)).ToList() ?? [];

    private static List<Wire.ThrottleDevice> Rates(IReadOnlyList<Berth.Runtime.BlkioDeviceRate> rates) =>
        [.. rates.Select(d => new Wire.ThrottleDevice { Path = d.Path, Rate = d.Rate })];

    private static MountSpec ToMountSpec(Wire.Mount m)
    {
        var vo = Berth.Daemon.Http.Volumes.VolumeMountOptions.Parse(m.VolumeOptions);
        Refuse(m.ImageOptions is { ValueKind: not JsonValueKind.Null } || m.Type == "image", "--mount type=image is not supported");
        Refuse(m.TmpfsOptions?.Options is { Count: > 0 }, "--mount tmpfs-option is not supported yet");
        Refuse(m.BindOptions is { CreateMountpoint: true }, "--mount bind-create-src is not supported yet");
        Refuse(m.BindOptions is { ReadOnlyNonRecursive: true } || m.BindOptions is { ReadOnlyForceRecursive: true }, "--mount bind-recursive=readonly/writable is not supported yet");
        return new MountSpec
        {
            Type = m.Type ?? string.Empty,
            Source = m.Source ?? string.Empty,
            Target = m.Target ?? string.Empty,
            ReadOnly = m.ReadOnly,
            BindPropagation = m.BindOptions?.Propagation ?? string.Empty,
            BindNonRecursive = m.BindOptions?.NonRecursive ?? false,
            TmpfsSizeBytes = m.TmpfsOptions?.SizeBytes ?? 0,
            TmpfsMode = m.TmpfsOptions?.Mode ?? 0,
            VolumeNoCopy = vo.NoCopy,
            VolumeLabels = vo.Labels,
            VolumeDriver = vo.Driver,
            VolumeDriverOptions = vo.DriverOptions,
            VolumeSubpath = vo.Subpath,
        };
    }

    private static void Refuse(bool set, string message)
    {
        if (set)
        {
            throw BerthException.NotImplemented(message);
        }
    }

    public static ContainerUpdate ToUpdate(Wire.ContainerUpdateRequest u)
    {
        Refuse(u.BlkioWeightDevice is { Count: > 0 } || u.BlkioDeviceReadBps is { Count: > 0 } || u.BlkioDeviceWriteBps is { Count: > 0 } || u.BlkioDeviceReadIOps is { Count: > 0 } || u.BlkioDeviceWriteIOps is { Count: > 0 }, "updating blkio device limits is not supported yet");
        Refuse(u.Devices is { Count: > 0 } || u.DeviceCgroupRules is { Count: > 0 } || u.DeviceRequests is { Count: > 0 }, "updating devices is not supported");
        Refuse(u.Ulimits is { Count: > 0 }, "updating ulimits is not supported yet");
        Refuse(u.KernelMemory is > 0 || u.KernelMemoryTCP is > 0, "--kernel-memory is not supported (deprecated by Docker)");
        Refuse(u.CpuRealtimePeriod is > 0 || u.CpuRealtimeRuntime is > 0, "--cpu-rt-period/--cpu-rt-runtime are not supported");
        Refuse(!string.IsNullOrEmpty(u.CgroupParent), "the cgroup parent of a container cannot be updated");
        Refuse(u.MemorySwappiness is { } sw && sw != -1, "--memory-swappiness is not supported yet");
        Refuse(u.OomKillDisable is true, "updating --oom-kill-disable is not supported");
        return new ContainerUpdate
        {
            CpuShares = Changed(u.CpuShares),
            Memory = Changed(u.Memory),
            MemorySwap = Changed(u.MemorySwap),
            MemoryReservation = Changed(u.MemoryReservation),
            NanoCpus = Changed(u.NanoCpus),
            CpuPeriod = Changed(u.CpuPeriod),
            CpuQuota = Changed(u.CpuQuota),
            CpusetCpus = string.IsNullOrEmpty(u.CpusetCpus) ? null : u.CpusetCpus,
            CpusetMems = string.IsNullOrEmpty(u.CpusetMems) ? null : u.CpusetMems,
            PidsLimit = u.PidsLimit is { } p && p != 0 ? p : null,
            BlkioWeight = u.BlkioWeight is > 0 ? u.BlkioWeight : null,
            RestartPolicy = u.RestartPolicy is { Name: { Length: > 0 } name } rp ? new Domain.RestartPolicy(name, rp.MaximumRetryCount) : null,
        };

        // The CLI sends every resource field; zero means "not given" (as in Docker's update).
        static long? Changed(long? v) => v is { } x && x != 0 ? x : null;
    }

    /// <summary>
    /// GET /containers/{id}/json in the shape of the requested API version, as dockerd's route and
    /// types of that version give it: HostConfig.KernelMemory/KernelMemoryTCP are sent (0) before
    /// 1.42 and omitted when unset since; an endpoint's DNSNames appears in 1.44 and GwPriority in
    /// 1.48; before 1.45 the aliases of an endpoint on a user-defined network also list the short
    /// container ID and the hostname.
    /// </summary>
    public static System.Text.Json.Nodes.JsonObject ShapeInspect(Wire.ContainerInspectResponse body, string apiVersion)
    {
        ArgumentNullException.ThrowIfNull(body);
        var o = JsonSerializer.SerializeToNode(body, Berth.Api.Json.ContainersJsonContext.Default.ContainerInspectResponse)!.AsObject();
        if (Berth.Api.ApiVersions.Compare(apiVersion, "1.42") < 0 && o["HostConfig"] is System.Text.Json.Nodes.JsonObject hc)
        {
            hc["KernelMemory"] ??= 0;
            hc["KernelMemoryTCP"] ??= 0;
        }

        if (o["NetworkSettings"]?["Networks"] is not System.Text.Json.Nodes.JsonObject networks)
        {
            return o;
        }

        var oldAliases = Berth.Api.ApiVersions.Compare(apiVersion, "1.45") < 0;
        foreach (var (name, node) in networks)
        {
            if (node is not System.Text.Json.Nodes.JsonObject ep)
            {
                continue;
            }

            if (Berth.Api.ApiVersions.Compare(apiVersion, "1.44") < 0)
            {
                ep.Remove("DNSNames");
            }

            if (Berth.Api.ApiVersions.Compare(apiVersion, "1.48") < 0)
            {
                ep.Remove("GwPriority");
            }

            if (oldAliases && name is not ("bridge" or "host" or "none" or "default") && !name.StartsWith("container:", StringComparison.Ordinal))
            {
                var aliases = ep["Aliases"] is System.Text.Json.Nodes.JsonArray a ? a.Select(x => x!.GetValue<string>()).ToList() : [];
                aliases.Add(body.Id.Length > 12 ? body.Id[..12] : body.Id);
                if (body.Config.Hostname is { Length: > 0 } hostname)
                {
                    aliases.Add(hostname);
                }

                ep["Aliases"] = new System.Text.Json.Nodes.JsonArray([.. aliases.Distinct(StringComparer.Ordinal).Select(x => (System.Text.Json.Nodes.JsonNode?)x)]);
            }
        }

        return o;
    }

    public static Wire.ContainerInspectResponse ToInspect(Container c, RootfsMount? rootfs, IReadOnlyList<string>? execIds, long? sizeRw, long? sizeRootFs)
    {
        var data = new Dictionary<string, string>();
        if (rootfs is not null)
        {
            if (rootfs.LowerDirs.Count > 0)
            {
                data["LowerDir"] = string.Join(':', rootfs.LowerDirs);
            }

            data["UpperDir"] = rootfs.UpperDir;
            data["WorkDir"] = rootfs.WorkDir;
        }

        var neverStarted = c.State.StartedAt is null;
        return new Wire.ContainerInspectResponse
        {
            Id = c.Id,
            Created = WireTime.Format(c.Created),
            Path = c.Path,
            Args = c.Args,
            State = ToState(c.State),
            Image = c.ImageId,
            // dockerd makes these files (and the log) at the first start: a container never started shows none.
            ResolvConfPath = neverStarted ? string.Empty : c.ResolvConfPath,
            HostnamePath = neverStarted ? string.Empty : c.HostnamePath,
            HostsPath = neverStarted ? string.Empty : c.HostsPath,
            LogPath = c.HostConfig.LogConfig.Type == "json-file" && !neverStarted ? c.LogPath : string.Empty,
            Name = "/" + c.Name,
            RestartCount = c.RestartCount,
            Driver = c.Driver,
            Platform = c.Platform,
            ExecIDs = execIds,
            HostConfig = ToWire(c.HostConfig, c.Name),
            GraphDriver = new Wire.GraphDriverData(data, "overlay2"),
            SizeRw = sizeRw,
            SizeRootFs = sizeRootFs,
            Mounts = [.. c.Mounts.Select(ToWire)],
            Config = ToWire(c.Config),
            NetworkSettings = ToNetworkSettings(c),
        };
    }

    public static Wire.ContainerState ToState(Domain.ContainerState s) => new()
    {
        Status = s.Status,
        Running = s.Running,
        Paused = s.Paused,
        Restarting = s.Restarting,
        OOMKilled = s.OomKilled,
        Dead = s.Dead,
        Pid = s.Pid,
        ExitCode = s.ExitCode,
        Error = s.Error,
        StartedAt = WireTime.Format(s.StartedAt),
        FinishedAt = WireTime.Format(s.FinishedAt),
        Health = s.Health is { } h
            ? new Wire.Health(h.Status, h.FailingStreak, [.. h.Log.Select(l => new Wire.HealthcheckResult(WireTime.Format(l.Start), WireTime.Format(l.End), l.ExitCode, l.Output))])
            : null,
    };

    public static Wire.ContainerConfig ToWire(Domain.ContainerConfig c) => new()
    {
        Hostname = c.Hostname,
        Domainname = c.Domainname,
        User = c.User,
        AttachStdin = c.AttachStdin,
        AttachStdout = c.AttachStdout,
        AttachStderr = c.AttachStderr,
        ExposedPorts = c.ExposedPorts?.ToDictionary(p => p, _ => Wire.EmptyObject.Instance),
        Tty = c.Tty,
        OpenStdin = c.OpenStdin,
        StdinOnce = c.StdinOnce,
        Env = [.. c.Env],
        Cmd = c.Cmd?.ToList(),
        Healthcheck = c.Healthcheck is { } h ? new Wire.HealthConfig
        {
            Test = h.Test?.ToList(),
            Interval = h.Interval,
            Timeout = h.Timeout,
            StartPeriod = h.StartPeriod,
            StartInterval = h.StartInterval,
            Retries = h.Retries,
        } : null,
        ArgsEscaped = c.ArgsEscaped ? true : null,
        Image = c.Image,
        Volumes = c.Volumes?.ToDictionary(v => v, _ => Wire.EmptyObject.Instance),
        WorkingDir = c.WorkingDir,
        Entrypoint = c.Entrypoint?.ToList(),
        NetworkDisabled = c.NetworkDisabled ? true : null,
        MacAddress = c.MacAddress,
        OnBuild = c.OnBuild?.ToList(),
        Labels = new Dictionary<string, string>(c.Labels),
        StopSignal = c.StopSignal,
        StopTimeout = c.StopTimeout,
        Shell = c.Shell?.ToList(),
    };

    /// <summary>A legacy link as dockerd shows it: "/target:/container/alias" (given as "target:alias" or "target").</summary>
    private static string LinkForInspect(string link, string containerName)
    {
        var colon = link.IndexOf(':', StringComparison.Ordinal);
        var target = (colon < 0 ? link : link[..colon]).TrimStart('/');
        var alias = colon < 0 ? target : link[(colon + 1)..];
        alias = alias[(alias.LastIndexOf('/') + 1)..];
        return $"/{target}:/{containerName}/{alias}";
    }

    public static Wire.HostConfig ToWire(Domain.HostConfig h, string containerName)
    {
        var r = h.Resources;
        return new Wire.HostConfig
        {
            Binds = h.Binds?.ToList(),
            ContainerIDFile = string.Empty,
            LogConfig = new Wire.LogConfig { Type = h.LogConfig.Type, Config = new Dictionary<string, string>(h.LogConfig.Config) },
            NetworkMode = h.NetworkMode,
            PortBindings = h.PortBindings?.ToDictionary(kv => kv.Key, kv => (List<Wire.PortBinding>?)[.. kv.Value.Select(b => new Wire.PortBinding { HostIp = b.HostIp, HostPort = b.HostPort })]) ?? [],
            RestartPolicy = new Wire.RestartPolicy { Name = h.RestartPolicy.Name, MaximumRetryCount = h.RestartPolicy.MaximumRetryCount },
            AutoRemove = h.AutoRemove,
            VolumeDriver = string.Empty,
            VolumesFrom = h.VolumesFrom is { Count: > 0 } vf ? [.. vf] : null,
            Mounts = h.Mounts?.Select(ToWire).ToList(),
            ConsoleSize = h.ConsoleSize is { Count: 2 } cs ? [.. cs] : [0, 0],
            CapAdd = h.CapAdd?.ToList(),
            CapDrop = h.CapDrop?.ToList(),
            CgroupnsMode = h.CgroupnsMode,
            Dns = [.. h.Dns],
            DnsOptions = [.. h.DnsOptions],
            DnsSearch = [.. h.DnsSearch],
            ExtraHosts = h.ExtraHosts?.ToList(),
            GroupAdd = h.GroupAdd?.ToList(),
            IpcMode = h.IpcMode,
            Cgroup = string.Empty,
            Links = h.Links is { Count: > 0 } links ? [.. links.Select(l => LinkForInspect(l, containerName))] : null,
            OomScoreAdj = h.OomScoreAdj,
            PidMode = h.PidMode,
            Privileged = h.Privileged,
            PublishAllPorts = h.PublishAllPorts,
            ReadonlyRootfs = h.ReadonlyRootfs,
            SecurityOpt = h.SecurityOpt?.ToList(),
            Tmpfs = h.Tmpfs is { Count: > 0 } t ? new Dictionary<string, string>(t) : null,
            UTSMode = h.UtsMode,
            UsernsMode = string.Empty,
            ShmSize = h.ShmSize,
            Sysctls = h.Sysctls is { Count: > 0 } s ? new Dictionary<string, string>(s) : null,
            Runtime = h.Runtime,
            Isolation = string.Empty,
            CpuShares = r.CpuShares,
            Memory = r.Memory,
            NanoCpus = r.NanoCpus,
            CgroupParent = r.CgroupParent,
            BlkioWeight = r.BlkioWeight,
            BlkioWeightDevice = [.. r.BlkioWeightDevice.Select(d => new Wire.WeightDevice { Path = d.Path, Weight = d.Weight })],
            BlkioDeviceReadBps = Rates(r.BlkioDeviceReadBps),
            BlkioDeviceWriteBps = Rates(r.BlkioDeviceWriteBps),
            BlkioDeviceReadIOps = Rates(r.BlkioDeviceReadIOps),
            BlkioDeviceWriteIOps = Rates(r.BlkioDeviceWriteIOps),
            CpuPeriod = r.CpuPeriod,
            CpuQuota = r.CpuQuota,
            CpusetCpus = r.CpusetCpus,
            CpusetMems = r.CpusetMems,
            Devices = [.. r.Devices.Select(d => new Wire.DeviceMapping { PathOnHost = d.PathOnHost, PathInContainer = d.PathInContainer, CgroupPermissions = d.CgroupPermissions })],
            DeviceCgroupRules = r.DeviceCgroupRules?.ToList(),
            DeviceRequests = null,
            MemoryReservation = r.MemoryReservation,
            MemorySwap = r.MemorySwap,
            MemorySwappiness = r.MemorySwappiness,
            OomKillDisable = r.OomKillDisable ?? false,
            PidsLimit = r.PidsLimit,
            Ulimits = [.. r.Ulimits.Select(u => new Wire.Ulimit { Name = u.Name, Hard = u.Hard, Soft = u.Soft })],
            MaskedPaths = h.MaskedPaths?.ToList(),
            ReadonlyPaths = h.ReadonlyPaths?.ToList(),
            Init = h.Init,
        };
    }

    private static Wire.Mount ToWire(MountSpec m) => new()
    {
        Type = m.Type,
        Source = m.Source.Length == 0 ? null : m.Source,
        Target = m.Target,
        ReadOnly = m.ReadOnly,
        BindOptions = m.Type == "bind" && (m.BindPropagation.Length > 0 || m.BindNonRecursive) ? new Wire.BindOptions { Propagation = m.BindPropagation.Length > 0 ? m.BindPropagation : null, NonRecursive = m.BindNonRecursive } : null,
        TmpfsOptions = m.Type == "tmpfs" && (m.TmpfsSizeBytes > 0 || m.TmpfsMode > 0) ? new Wire.TmpfsOptions { SizeBytes = m.TmpfsSizeBytes, Mode = m.TmpfsMode } : null,
        VolumeOptions = m.Type == "volume" ? VolumeOptionsOf(m) : null,
    };

    /// <summary>HostConfig.Mounts[].VolumeOptions as the request gave it (dockerd echoes the spec), null when nothing was set.</summary>
    private static JsonElement? VolumeOptionsOf(MountSpec m)
    {
        var driver = m.VolumeDriver.Length > 0 || m.VolumeDriverOptions is { Count: > 0 };
        if (!m.VolumeNoCopy && m.VolumeLabels is not { Count: > 0 } && !driver && m.VolumeSubpath.Length == 0)
        {
            return null;
        }

        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            if (m.VolumeNoCopy)
            {
                w.WriteBoolean("NoCopy", true);
            }

            if (m.VolumeLabels is { Count: > 0 } labels)
            {
                w.WriteStartObject("Labels");
                foreach (var (k, v) in labels)
                {
                    w.WriteString(k, v);
                }

                w.WriteEndObject();
            }

            if (m.VolumeSubpath.Length > 0)
            {
                w.WriteString("Subpath", m.VolumeSubpath);
            }

            if (driver)
            {
                w.WriteStartObject("DriverConfig");
                if (m.VolumeDriver.Length > 0)
                {
                    w.WriteString("Name", m.VolumeDriver);
                }

                if (m.VolumeDriverOptions is { Count: > 0 } options)
                {
                    w.WriteStartObject("Options");
                    foreach (var (k, v) in options)
                    {
                        w.WriteString(k, v);
                    }

                    w.WriteEndObject();
                }

                w.WriteEndObject();
            }

            w.WriteEndObject();
        }

        using var doc = JsonDocument.Parse(buffer.WrittenMemory);
        return doc.RootElement.Clone();
    }

    public static Wire.MountPoint ToWire(Domain.MountPoint m) => new()
    {
        Type = m.Type,
        Name = m.Name.Length > 0 ? m.Name : null,
        Source = m.Source,
        Destination = m.Destination,
        Driver = m.Driver.Length > 0 ? m.Driver : null,
        Mode = m.Mode,
        RW = m.RW,
        Propagation = m.Propagation,
    };

    /// <summary>NetworkSettings.Networks: every network the container is configured for, with the addresses of the running one.</summary>
    private static Dictionary<string, EndpointSettings> Networks(Container c)
    {
        var result = new Dictionary<string, EndpointSettings>(StringComparer.Ordinal);
        foreach (var name in ContainerFilter.NetworkNames(c))
        {
            var config = c.NetworkEndpoints.GetValueOrDefault(name);
            var live = c.Network?.Endpoints.FirstOrDefault(e => e.NetworkName == name);
            var aliases = config?.Aliases ?? [];
            result[name] = new EndpointSettings
            {
                IPAMConfig = config?.IPv4Address is { Length: > 0 } || config?.LinkLocalIPs is { Count: > 0 }
                    ? new EndpointIpamConfig
                    {
                        IPv4Address = config.IPv4Address is { Length: > 0 } ip ? ip : null,
                        LinkLocalIPs = config.LinkLocalIPs.Count > 0 ? [.. config.LinkLocalIPs] : null,
                    }
                    : null,
                DriverOpts = config?.DriverOpts is { Count: > 0 } driverOpts ? new Dictionary<string, string>(driverOpts) : null,
                Links = config?.Links is { Count: > 0 } links ? [.. links] : null,
                Aliases = aliases.Count > 0 ? [.. aliases] : null,
                // A stopped container shows the address it asked for (Docker keeps the endpoint's settings).
                MacAddress = live is { MacAddress.Length: > 0 } ? live.MacAddress : config?.MacAddress ?? string.Empty,
                NetworkID = live?.NetworkId ?? string.Empty,
                EndpointID = live?.EndpointId ?? string.Empty,
                Gateway = live?.Gateway ?? string.Empty,
                IPAddress = live?.IPAddress ?? string.Empty,
                IPPrefixLen = live?.IPPrefixLen ?? 0,
                IPv6Gateway = string.Empty,
                GlobalIPv6Address = string.Empty,
                DNSNames = live is { DnsNames.Count: > 0 } ? [.. live.DnsNames] : null,
            };
        }

        return result;
    }

    /// <summary>Exposed and published ports of a running container: "80/tcp" → where it is published (null: exposed only).</summary>
    private static SortedDictionary<string, List<Wire.PortBinding>?> PortMap(Container c)
    {
        var ports = new SortedDictionary<string, List<Wire.PortBinding>?>(StringComparer.Ordinal);
        if (!c.State.Running)
        {
            return ports;
        }

        foreach (var p in (c.Config.ExposedPorts ?? []).Concat(c.HostConfig.PortBindings?.Keys ?? []))
        {
            ports[p] = null;
        }

        foreach (var b in c.Network?.Ports ?? [])
        {
            var key = b.ContainerPort.ToString(System.Globalization.CultureInfo.InvariantCulture) + "/" + b.Protocol;
            if (!ports.TryGetValue(key, out var list) || list is null)
            {
                ports[key] = list = [];
            }

            list.Add(new Wire.PortBinding { HostIp = b.HostIp, HostPort = b.HostPort.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        }

        return ports;
    }

    private static Wire.NetworkSettings ToNetworkSettings(Container c)
    {
        var networks = Networks(c);
        var sandbox = c.State.Running ? c.Network?.SandboxKey ?? string.Empty : string.Empty;
        // The legacy top-level fields describe the container's endpoint on the default bridge only.
        var bridge = networks.GetValueOrDefault("bridge");
        return new Wire.NetworkSettings
        {
            SandboxID = sandbox.Length > 0 ? c.Id : string.Empty,
            SandboxKey = sandbox,
            Ports = new Dictionary<string, List<Wire.PortBinding>?>(PortMap(c)),
            Networks = networks,
            EndpointID = bridge?.EndpointID ?? string.Empty,
            Gateway = bridge?.Gateway ?? string.Empty,
            IPAddress = bridge?.IPAddress ?? string.Empty,
            IPPrefixLen = bridge?.IPPrefixLen ?? 0,
            MacAddress = bridge?.MacAddress ?? string.Empty,
        };
    }

    public static Wire.ContainerSummary ToSummary(ContainerListItem item, DateTimeOffset now)
    {
        var c = item.Container;
        var ports = new List<Wire.PortSummary>();
        foreach (var (p, bindings) in PortMap(c))
        {
            var slash = p.IndexOf('/', StringComparison.Ordinal);
            if (!int.TryParse(slash < 0 ? p : p[..slash], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var port))
            {
                continue;
            }

            var type = slash < 0 ? "tcp" : p[(slash + 1)..];
            if (bindings is null)
            {
                ports.Add(new Wire.PortSummary { PrivatePort = port, Type = type });
                continue;
            }

            foreach (var b in bindings)
            {
                ports.Add(new Wire.PortSummary { IP = b.HostIp, PrivatePort = port, PublicPort = int.Parse(b.HostPort!, System.Globalization.CultureInfo.InvariantCulture), Type = type });
            }
        }

        return new Wire.ContainerSummary
        {
            Id = c.Id,
            Names = ["/" + c.Name],
            Image = c.Config.Image,
            ImageID = c.ImageId,
            Command = string.Join(' ', [c.Path, .. c.Args.Select(a => a.Contains(' ', StringComparison.Ordinal) ? $"'{a}'" : a)]), // dockerd quotes arguments with spaces
            Created = c.Created.ToUnixTimeSeconds(),
            Ports = ports,
            SizeRw = item.SizeRw,
            SizeRootFs = item.SizeRootFs,
            Labels = c.Config.Labels,
            State = c.State.Status,
            Status = StatusText.For(c.State, now),
            HostConfig = new Wire.SummaryHostConfig(c.HostConfig.NetworkMode),
            NetworkSettings = new Wire.SummaryNetworkSettings(Networks(c)),
            Mounts = [.. c.Mounts.Select(ToWire)],
        };
    }
}
