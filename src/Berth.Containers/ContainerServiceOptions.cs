namespace Berth.Containers;

/// <summary>What the container service needs from the daemon's configuration.</summary>
public sealed record ContainerServiceOptions
{
    /// <summary>dockerd's interval for collecting ended exec instances.</summary>
    public static readonly TimeSpan DefaultExecCollectInterval = TimeSpan.FromMinutes(5);

    /// <summary>The daemon's data root; container records live in &lt;DataRoot&gt;/containers/&lt;id&gt;.</summary>
    public required string DataRoot { get; init; }

    /// <summary>Parent cgroup of every container ("/berth"); a container's cgroup is &lt;parent&gt;/&lt;id&gt;.</summary>
    public string CgroupParent { get; init; } = "/berth";

    /// <summary>
    /// How often ended exec instances are collected (an ended exec is dropped after one to two
    /// intervals): dockerd's 5 minutes. berthd takes another value from
    /// BERTH_EXEC_COLLECT_SECONDS, for soak tests that cannot wait that long.
    /// </summary>
    public TimeSpan ExecCollectInterval { get; init; } = DefaultExecCollectInterval;

    public string DefaultRuntime { get; init; } = "runc";

    /// <summary>Names of the configured OCI runtimes.</summary>
    public IReadOnlyCollection<string> Runtimes { get; init; } = ["runc"];

    public string DefaultLogDriver { get; init; } = "json-file";

    public IReadOnlyDictionary<string, string> DefaultLogOptions { get; init; } = new Dictionary<string, string>();

    public long DefaultShmSize { get; init; } = 64L * 1024 * 1024;

    /// <summary>Daemon-wide DNS servers (daemon.json "dns"); used when a container sets none.</summary>
    public IReadOnlyList<string> Dns { get; init; } = [];

    /// <summary>Seconds between the stop signal and SIGKILL when neither the request nor the container says.</summary>
    public int DefaultStopTimeout { get; init; } = 10;

    /// <summary>Whether containers keep running while the daemon is down.</summary>
    public bool LiveRestore { get; init; } = true;

    /// <summary>The host's resolv.conf, copied into containers that do not set --dns.</summary>
    public string HostResolvConf { get; init; } = "/etc/resolv.conf";

    /// <summary>The host's hosts file, copied into containers on the host network.</summary>
    public string HostHosts { get; init; } = "/etc/hosts";

    /// <summary>True on a cgroup v2 host: Docker's default cgroup namespace mode is then "private".</summary>
    public bool CgroupV2 { get; init; }

    /// <summary>daemon.json "default-ulimits": applied to a container that does not set that limit itself.</summary>
    public IReadOnlyList<Berth.Core.Model.Ulimit> DefaultUlimits { get; init; } = [];

    /// <summary>Number of CPUs usable by containers (for the --cpus range check).</summary>
    public int CpuCount { get; init; } = Environment.ProcessorCount;

    /// <summary>The optional cgroup controls the host offers; limits it lacks are discarded at create with Docker's warnings.</summary>
    public Berth.Platform.Cgroups.CgroupFeatures CgroupFeatures { get; init; } = Berth.Platform.Cgroups.CgroupFeatures.All;

    public string ContainersRoot => System.IO.Path.Combine(DataRoot, "containers");
}
