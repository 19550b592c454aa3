namespace Berth.Networking.Model;

/// <summary>A network as stored under &lt;data-root&gt;/network/networks/&lt;id&gt;.json.</summary>
public sealed record NetworkRecord
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    /// <summary>"bridge", "macvlan", "ipvlan", "host" or "null".</summary>
    public required string Driver { get; init; }

    public DateTimeOffset Created { get; init; }

    public bool Internal { get; init; }

    public bool Attachable { get; init; }

    public bool Predefined { get; init; }

    /// <summary>The daemon's default bridge network ("bridge").</summary>
    public bool IsDefaultBridge { get; init; }

    public string IpamDriver { get; init; } = "default";

    public Dictionary<string, string>? IpamOptions { get; init; }

    /// <summary>IPv4 subnet ("172.18.0.0/16"); empty for host/null.</summary>
    public string Subnet { get; init; } = string.Empty;

    public string Gateway { get; init; } = string.Empty;

    public string? IPRange { get; init; }

    public Dictionary<string, string> AuxiliaryAddresses { get; init; } = [];

    /// <summary>Whether the user gave the subnet (--subnet): --ip is allowed only then, as in Docker.</summary>
    public bool SubnetConfigured { get; init; }

    /// <summary>Whether inspect shows the gateway (Docker omits it for the default bridge).</summary>
    public bool ShowGateway { get; init; } = true;

    public Dictionary<string, string> Options { get; init; } = [];

    public Dictionary<string, string> Labels { get; init; } = [];

    /// <summary>Linux bridge name (bridge driver).</summary>
    public string BridgeName { get; init; } = string.Empty;

    /// <summary>Parent interface (macvlan/ipvlan).</summary>
    public string Parent { get; init; } = string.Empty;

    /// <summary>macvlan_mode / ipvlan_mode.</summary>
    public string Mode { get; init; } = string.Empty;

    public int Mtu { get; init; }

    public bool Masquerade { get; init; } = true;

    /// <summary>com.docker.network.bridge.host_binding_ipv4: host address for ports published without one.</summary>
    public string HostBindingIpv4 { get; init; } = "0.0.0.0";

    /// <summary>com.docker.network.container_iface_prefix.</summary>
    public string InterfacePrefix { get; init; } = "eth";

    /// <summary>User-defined networks get the embedded DNS server; the default bridge does not.</summary>
    public bool HasDns => !Predefined && Driver is "bridge" or "macvlan" or "ipvlan";

    public bool IsBridge => Driver == "bridge";
}
