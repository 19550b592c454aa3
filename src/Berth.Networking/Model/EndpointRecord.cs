namespace Berth.Networking.Model;

/// <summary>A container's endpoint on one network, stored with its sandbox.</summary>
public sealed record EndpointRecord
{
    public required string NetworkId { get; init; }

    public required string EndpointId { get; init; }

    /// <summary>Interface name inside the container (eth0, eth1, ...).</summary>
    public required string InterfaceName { get; init; }

    /// <summary>Host end of the veth pair (bridge driver); empty for macvlan/ipvlan.</summary>
    public string HostInterface { get; init; } = string.Empty;

    public required string IPv4Address { get; init; }

    public int PrefixLength { get; init; }

    public string Gateway { get; init; } = string.Empty;

    public string MacAddress { get; init; } = string.Empty;

    /// <summary>Network aliases as reported (includes the short container id on user networks).</summary>
    public List<string> Aliases { get; init; } = [];

    /// <summary>Names the embedded DNS answers for this endpoint (container name first).</summary>
    public List<string> DnsNames { get; init; } = [];

    /// <summary>Legacy links as given ("container:alias").</summary>
    public List<string> Links { get; init; } = [];

    /// <summary>The --ip the user asked for (kept for inspect's IPAMConfig).</summary>
    public string? RequestedIPv4 { get; init; }

    public string? RequestedMac { get; init; }

    /// <summary>--link-local-ip addresses, each added with a /16 to the container's interface (as dockerd does).</summary>
    public List<string> LinkLocalIPs { get; init; } = [];
}
