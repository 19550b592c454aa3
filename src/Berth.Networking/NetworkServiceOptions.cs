using Berth.Networking.Ipam;

namespace Berth.Networking;

/// <summary>Daemon settings networking needs (from flags and daemon.json, mapped by the composition root).</summary>
public sealed record NetworkServiceOptions
{
    /// <summary>State lives in &lt;DataRoot&gt;/network.</summary>
    public required string DataRoot { get; init; }

    /// <summary>Container namespaces are bound under &lt;ExecRoot&gt;/netns.</summary>
    public required string ExecRoot { get; init; }

    /// <summary>Linux bridge of the default "bridge" network (dockerd -b/--bridge); "none" disables the default bridge.</summary>
    public string BridgeName { get; init; } = "berth0";

    /// <summary>--bip: the default bridge's address with prefix ("172.17.0.1/16").</summary>
    public string? Bip { get; init; }

    /// <summary>--fixed-cidr: restrict the default bridge's container addresses to this range.</summary>
    public string? FixedCidr { get; init; }

    /// <summary>daemon.json default-address-pools (Docker's defaults when empty).</summary>
    public IReadOnlyList<AddressPool> DefaultAddressPools { get; init; } = AddressPool.Defaults;

    /// <summary>--iptables: false writes no NAT/filter rules at all (no outbound NAT, no published ports).</summary>
    public bool Iptables { get; init; } = true;

    /// <summary>--ip-forward: enable net.ipv4.ip_forward in the daemon's namespace.</summary>
    public bool IpForward { get; init; } = true;

    /// <summary>Default --dns, --dns-search, --dns-opt for containers (daemon.json dns, dns-search, dns-opts).</summary>
    public IReadOnlyList<string> Dns { get; init; } = [];

    public IReadOnlyList<string> DnsSearch { get; init; } = [];

    public IReadOnlyList<string> DnsOptions { get; init; } = [];

    /// <summary>--mtu for the default bridge (0 = kernel default, reported as 1500).</summary>
    public int Mtu { get; init; }

    /// <summary>Name of Berth's nftables table (ip family); distinct per daemon sharing a namespace.</summary>
    public string NftTable { get; init; } = "berth";

    /// <summary>
    /// Namespace that plays "the host" (bridges, rules, sysctls, published ports); null = the
    /// daemon's own. Tests point this at a namespace they created.
    /// </summary>
    public string? HostNamespace { get; init; }

    /// <summary>The host's resolver and hosts files (copied or filtered into containers).</summary>
    public string HostResolvConf { get; init; } = "/etc/resolv.conf";

    public string HostHosts { get; init; } = "/etc/hosts";
}
