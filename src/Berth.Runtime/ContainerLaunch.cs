namespace Berth.Runtime;

/// <summary>Everything needed to run a container's main process. Built by the container service from image config + create request.</summary>
public sealed record ContainerLaunch
{
    public required string Id { get; init; }

    /// <summary>Docker-style name without the leading slash (for log tags and monitor labels).</summary>
    public required string Name { get; init; }

    /// <summary>The root filesystem: overlay lower/upper/work dirs prepared by the image store.</summary>
    public required Berth.Core.Model.RootfsMount Rootfs { get; init; }

    public required ProcessLaunch Process { get; init; }

    public string Hostname { get; init; } = string.Empty;

    public string Domainname { get; init; } = string.Empty;

    public bool ReadonlyRootfs { get; init; }

    /// <summary>Extra mounts in order (binds, tmpfs, volumes, /etc/hosts, /etc/resolv.conf, /etc/hostname).</summary>
    public IReadOnlyList<MountLaunch> Mounts { get; init; } = [];

    public ContainerResources Resources { get; init; } = new();

    /// <summary>Resource limits of the container's processes (OCI process.rlimits); none = inherit the engine's.</summary>
    public IReadOnlyList<Berth.Core.Model.Ulimit> Ulimits { get; init; } = [];

    /// <summary>"none" (own netns with only lo), "host" (no netns), or a netns path to join ("/proc/123/ns/net", "/run/netns/x").</summary>
    public string NetworkMode { get; init; } = "none";

    /// <summary>Other namespaces: "" = new private one, "host" = share the host's, a path = join.</summary>
    public string IpcMode { get; init; } = string.Empty;

    public string PidMode { get; init; } = string.Empty;

    public string UtsMode { get; init; } = string.Empty;

    public bool Privileged { get; init; }

    /// <summary>Run a tiny init (tini) as PID 1 that reaps zombies and forwards signals.</summary>
    public bool Init { get; init; }

    /// <summary>Capabilities to add/drop relative to Docker's default set ("ALL" allowed); names with or without "CAP_".</summary>
    public IReadOnlyList<string> CapAdd { get; init; } = [];

    public IReadOnlyList<string> CapDrop { get; init; } = [];

    /// <summary>Raw --security-opt values: "no-new-privileges[:true]", "seccomp=unconfined", "seccomp=&lt;json&gt;", "label=...", "apparmor=...".</summary>
    public IReadOnlyList<string> SecurityOpt { get; init; } = [];

    public IReadOnlyDictionary<string, string> Sysctls { get; init; } = new Dictionary<string, string>();

    /// <summary>Bytes of /dev/shm (Docker's default 64 MiB).</summary>
    public long ShmSize { get; init; } = 64L * 1024 * 1024;

    /// <summary>Devices to add: host path, container path, permissions ("rwm").</summary>
    public IReadOnlyList<DeviceLaunch> Devices { get; init; } = [];

    /// <summary>--device-cgroup-rule values ("c 42:* rmw"), added after the default device rules.</summary>
    public IReadOnlyList<string> DeviceCgroupRules { get; init; } = [];

    public IReadOnlyList<string> MaskedPaths { get; init; } = [];

    public IReadOnlyList<string> ReadonlyPaths { get; init; } = [];

    /// <summary>OCI runtime name ("runc", "crun") as configured in the daemon.</summary>
    public string Runtime { get; init; } = "runc";

    /// <summary>Cgroup path for the container (e.g. "/berth/&lt;id&gt;").</summary>
    public required string CgroupPath { get; init; }

    /// <summary>"json-file" (default), "local" or "none"; options as Docker's log-opts (max-size, max-file).</summary>
    public string LogDriver { get; init; } = "json-file";

    public IReadOnlyDictionary<string, string> LogOptions { get; init; } = new Dictionary<string, string>();

    /// <summary>Where the log file lives (container directory/&lt;id&gt;-json.log).</summary>
    public required string LogPath { get; init; }

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();
}

public sealed record ProcessLaunch
{
    public required IReadOnlyList<string> Args { get; init; }

    public IReadOnlyList<string> Env { get; init; } = [];

    public string Cwd { get; init; } = "/";

    /// <summary>Docker's user syntax: "", "name", "uid", "uid:gid", "name:group"; resolved against the rootfs's /etc/passwd and /etc/group.</summary>
    public string User { get; init; } = string.Empty;

    public IReadOnlyList<string> AdditionalGroups { get; init; } = [];

    public bool Tty { get; init; }

    public bool OpenStdin { get; init; }

    /// <summary>Close the container's stdin when the first attached client detaches (docker run -i).</summary>
    public bool StdinOnce { get; init; }
}

public sealed record MountLaunch(string Source, string Destination, string Type, IReadOnlyList<string> Options);

public sealed record DeviceLaunch(string HostPath, string ContainerPath, string Permissions);

public sealed record ContainerResources
{
    /// <summary>Bytes; 0 = unlimited.</summary>
    public long Memory { get; init; }

    /// <summary>Bytes of memory+swap; 0 = default (twice Memory), -1 = unlimited.</summary>
    public long MemorySwap { get; init; }

    public long MemoryReservation { get; init; }

    /// <summary>CPU quota in units of 1e-9 CPUs (--cpus 1.5 = 1_500_000_000).</summary>
    public long NanoCpus { get; init; }

    public long CpuShares { get; init; }

    public long CpuPeriod { get; init; }

    public long CpuQuota { get; init; }

    public string CpusetCpus { get; init; } = string.Empty;

    public string CpusetMems { get; init; } = string.Empty;

    /// <summary>0 or -1 = unlimited.</summary>
    public long PidsLimit { get; init; }

    public int? OomScoreAdj { get; init; }

    public bool OomKillDisable { get; init; }

    public long BlkioWeight { get; init; }

    /// <summary>memory.swappiness (0–100); null = the kernel's default.</summary>
    public long? MemorySwappiness { get; init; }

    public IReadOnlyList<BlkioDeviceWeight> BlkioWeightDevices { get; init; } = [];

    public IReadOnlyList<BlkioDeviceRate> BlkioReadBps { get; init; } = [];

    public IReadOnlyList<BlkioDeviceRate> BlkioWriteBps { get; init; } = [];

    public IReadOnlyList<BlkioDeviceRate> BlkioReadIOps { get; init; } = [];

    public IReadOnlyList<BlkioDeviceRate> BlkioWriteIOps { get; init; } = [];
}

/// <summary>A block device's relative IO weight; the host path is resolved to major:minor when the spec is built.</summary>
public sealed record BlkioDeviceWeight(string Path, ushort Weight);

/// <summary>A block device's IO limit (bytes or operations per second).</summary>
public sealed record BlkioDeviceRate(string Path, ulong Rate);

public sealed record RuntimeStarted(int Pid, DateTimeOffset StartedAt);

public enum RuntimeState
{
    Created,
    Running,
    Paused,
    Stopped,
}

public sealed record RuntimeStatus(RuntimeState State, int Pid);

public sealed record RuntimeExit(int ExitCode, bool OomKilled, DateTimeOffset ExitedAt);
