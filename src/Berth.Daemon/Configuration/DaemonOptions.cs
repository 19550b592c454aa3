namespace Berth.Daemon.Configuration;

/// <summary>
/// The daemon's settings after flags and daemon.json are merged. Paths are absolute.
/// Subsystems take the parts they need from here in the composition root.
/// </summary>
public sealed record DaemonOptions
{
    /// <summary>"unix:///run/berth/berth.sock", "tcp://127.0.0.1:2375", ...</summary>
    public IReadOnlyList<string> Hosts { get; init; } = ["unix:///run/berth/berth.sock"];

    /// <summary>
    /// --tls: serve TCP listeners over TLS. Null when neither flag nor daemon.json said: a plain
    /// TCP listener is then refused, because it gives root on this machine to anyone who can
    /// reach the port. Only an explicit false (or tlsverify) expresses the intent.
    /// </summary>
    public bool? Tls { get; init; }

    /// <summary>--tlsverify: TLS with client certificates signed by <see cref="TlsCaCert"/> required (mutual TLS). Implies TLS.</summary>
    public bool? TlsVerify { get; init; }

    /// <summary>--tlscacert / --tlscert / --tlskey; dockerd's defaults are ca.pem, cert.pem and key.pem in $DOCKER_CERT_PATH or ~/.docker.</summary>
    public string TlsCaCert { get; init; } = DefaultCertFile("ca.pem");

    public string TlsCert { get; init; } = DefaultCertFile("cert.pem");

    public string TlsKey { get; init; } = DefaultCertFile("key.pem");

    /// <summary>-G/--group: the group that owns the unix sockets (dockerd's default "docker", when it exists).</summary>
    public string SocketGroup { get; init; } = "docker";

    /// <summary>Whether <see cref="SocketGroup"/> was given (a missing group is then an error, not a warning).</summary>
    public bool SocketGroupGiven { get; init; }

    public bool TlsEnabled => TlsVerify == true || Tls == true;

    public string DataRoot { get; init; } = "/var/lib/berth";

    public string ExecRoot { get; init; } = "/run/berth";

    public string? PidFile { get; init; } = "/run/berth/berthd.pid";

    public string ConfigFile { get; init; } = "/etc/berth/daemon.json";

    public string DefaultRuntime { get; init; } = "runc";

    /// <summary>Runtime name to executable path ("runc" → "runc", "crun" → "crun", plus daemon.json "runtimes").</summary>
    public IReadOnlyDictionary<string, string> Runtimes { get; init; } = new Dictionary<string, string>
    {
        ["runc"] = "runc",
        ["crun"] = "crun",
    };

    public string LogLevel { get; init; } = "info";

    public bool LiveRestore { get; init; } = true;

    /// <summary>Cgroup parent for containers; own name so several engines can share a host.</summary>
    public string CgroupParent { get; init; } = "/berth";

    public string LogDriver { get; init; } = "json-file";

    public IReadOnlyDictionary<string, string> LogOpts { get; init; } = new Dictionary<string, string>();

    public string? Bip { get; init; }

    public bool Iptables { get; init; } = true;

    public bool IpForward { get; init; } = true;

    /// <summary>
    /// dockerd's userland-proxy. Berth has none: published ports, 127.0.0.1 and hairpin included,
    /// are forwarded by nftables DNAT in the kernel (route_localnet on the bridges), which is
    /// dockerd's behaviour with userland-proxy=false. Asking for true is refused at start.
    /// </summary>
    public bool UserlandProxy { get; init; }

    public IReadOnlyList<string> Dns { get; init; } = [];

    /// <summary>dns-search / dns-opts: defaults for containers' --dns-search / --dns-option.</summary>
    public IReadOnlyList<string> DnsSearch { get; init; } = [];

    public IReadOnlyList<string> DnsOptions { get; init; } = [];

    /// <summary>-b/--bridge: the Linux bridge of the default "bridge" network ("none": no default bridge).</summary>
    public string Bridge { get; init; } = "berth0";

    /// <summary>--fixed-cidr: the default bridge hands out addresses from this range only.</summary>
    public string? FixedCidr { get; init; }

    /// <summary>--mtu: MTU of the default bridge (0 = 1500).</summary>
    public int Mtu { get; init; }

    /// <summary>default-address-pools: where networks without --subnet get their subnet (Docker's defaults when empty).</summary>
    public IReadOnlyList<AddressPoolOption> DefaultAddressPools { get; init; } = [];

    public IReadOnlyDictionary<string, string> Labels { get; init; } = new Dictionary<string, string>();

    public string? DefaultShmSize { get; init; }

    /// <summary>
    /// --seccomp-profile: "" or "builtin" (Docker's profile), "unconfined", a profile file's path,
    /// or Berth's "builtin-native" (the built-in profile without 32-bit sub-architectures; faster
    /// starts). Read by Berth.Runtime.Oci.SeccompDefault.Parse at start.
    /// </summary>
    public string? SeccompProfile { get; init; }

    /// <summary>--default-ulimit / daemon.json default-ulimits: limits for containers that do not set them.</summary>
    public IReadOnlyList<Berth.Core.Model.Ulimit> DefaultUlimits { get; init; } = [];

    /// <summary>daemon.json layer-max-expanded-size / layer-max-expansion-ratio: caps against decompression bombs.</summary>
    public Berth.Storage.Layers.ExpansionLimit LayerExpansionLimit { get; init; } = Berth.Storage.Layers.ExpansionLimit.Default;

    /// <summary>dockerd's certificate directory: $DOCKER_CERT_PATH, else ~/.docker.</summary>
    public static string DefaultCertFile(string name)
    {
        var dir = Environment.GetEnvironmentVariable("DOCKER_CERT_PATH");
        if (string.IsNullOrEmpty(dir))
        {
            dir = Path.Combine(Environment.GetEnvironmentVariable("HOME") is { Length: > 0 } home ? home : "/root", ".docker");
        }

        return Path.Combine(dir, name);
    }
}
