using Berth.Networking.Ports;

namespace Berth.Containers.Model;

/// <summary>
/// The host-specific part of a container's configuration (Docker's <c>HostConfig</c>): only the
/// options Berth implements. The HTTP mapper refuses any other option that is set, so nothing is
/// silently ignored. Nullable lists echo back exactly what the client sent (Docker shows null
/// for lists that were not given).
/// </summary>
public sealed record HostConfig
{
    /// <summary>"/host:/ctr[:ro|rw|z|Z|...]"; named volumes are refused at create.</summary>
    public IReadOnlyList<string>? Binds { get; init; }

    public IReadOnlyList<MountSpec>? Mounts { get; init; }

    /// <summary>Container path → tmpfs options ("size=64m,mode=1777").</summary>
    public IReadOnlyDictionary<string, string>? Tmpfs { get; init; }

    /// <summary>--volumes-from: "container[:ro|rw]".</summary>
    public IReadOnlyList<string>? VolumesFrom { get; init; }

    public LogConfig LogConfig { get; init; } = new();

    /// <summary>"bridge", "none", "host", "container:&lt;id|name&gt;" or a user-defined network's name or id.</summary>
    public string NetworkMode { get; init; } = "bridge";

    /// <summary>-p: "80/tcp" → host addresses/ports to publish it on (empty HostPort: a free port).</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<PortBindingRequest>>? PortBindings { get; init; }

    /// <summary>-P: every exposed port on a free host port.</summary>
    public bool PublishAllPorts { get; init; }

    /// <summary>--link "name:alias" (legacy links: hosts entries on the default bridge, DNS aliases on user networks).</summary>
    public IReadOnlyList<string>? Links { get; init; }

    public RestartPolicy RestartPolicy { get; init; } = RestartPolicy.None;

    public bool AutoRemove { get; init; }

    /// <summary>[height, width] of the TTY at create.</summary>
    public IReadOnlyList<int>? ConsoleSize { get; init; }

    public IReadOnlyList<string>? CapAdd { get; init; }

    public IReadOnlyList<string>? CapDrop { get; init; }

    /// <summary>"host" or "private" (cgroup namespace).</summary>
    public string CgroupnsMode { get; init; } = "host";

    public IReadOnlyList<string> Dns { get; init; } = [];

    public IReadOnlyList<string> DnsOptions { get; init; } = [];

    public IReadOnlyList<string> DnsSearch { get; init; } = [];

    /// <summary>"name:ip" entries added to /etc/hosts.</summary>
    public IReadOnlyList<string>? ExtraHosts { get; init; }

    public IReadOnlyList<string>? GroupAdd { get; init; }

    /// <summary>"private", "shareable", "host", "none" or "container:&lt;id&gt;".</summary>
    public string IpcMode { get; init; } = "private";

    /// <summary>"" (private), "host" or "container:&lt;id&gt;".</summary>
    public string PidMode { get; init; } = string.Empty;

    /// <summary>"" (private) or "host".</summary>
    public string UtsMode { get; init; } = string.Empty;

    public int OomScoreAdj { get; init; }

    public bool Privileged { get; init; }

    public bool ReadonlyRootfs { get; init; }

    public IReadOnlyList<string>? SecurityOpt { get; init; }

    /// <summary>Bytes of /dev/shm.</summary>
    public long ShmSize { get; init; } = 64L * 1024 * 1024;

    public IReadOnlyDictionary<string, string>? Sysctls { get; init; }

    public string Runtime { get; init; } = "runc";

    public IReadOnlyList<string>? MaskedPaths { get; init; }

    public IReadOnlyList<string>? ReadonlyPaths { get; init; }

    public bool? Init { get; init; }

    public ResourceSpec Resources { get; init; } = new();
}
