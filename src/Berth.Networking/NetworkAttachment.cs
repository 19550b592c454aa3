namespace Berth.Networking;

/// <summary>
/// What the container service asks of networking before starting a container: a network
/// namespace prepared for the container's NetworkMode and endpoints, and the files Docker writes
/// into containers for name resolution. Released with the container (stop/rm) and reconciled on
/// daemon start.
/// </summary>
public sealed record NetworkAttachment
{
    /// <summary>Path of the prepared netns (e.g. /run/berth/netns/&lt;id&gt;), or null when Berth made none (host, none, container:).</summary>
    public string? NetnsPath { get; init; }

    /// <summary>
    /// The value for ContainerLaunch.NetworkMode: "none" (the runtime makes a namespace with only
    /// lo), "host", or a namespace path to join (ours, or the other container's for container:).
    /// </summary>
    public string RuntimeNetworkMode { get; init; } = "none";

    /// <summary>Content of /etc/hosts and /etc/resolv.conf for the container.</summary>
    public required string Hosts { get; init; }

    public required string ResolvConf { get; init; }

    /// <summary>Per-network endpoint data for inspect (NetworkSettings.Networks).</summary>
    public IReadOnlyList<EndpointInfo> Endpoints { get; init; } = [];

    /// <summary>Published ports as bound (for inspect NetworkSettings.Ports and ps).</summary>
    public IReadOnlyList<PortBinding> Ports { get; init; } = [];
}

public sealed record EndpointInfo(
    string NetworkName,
    string NetworkId,
    string EndpointId,
    string IPAddress,
    int IPPrefixLen,
    string Gateway,
    string MacAddress,
    IReadOnlyList<string> Aliases)
{
    /// <summary>Names the embedded DNS answers with this endpoint's address (Docker's DNSNames, API 1.44+): name, aliases, short id.</summary>
    public IReadOnlyList<string> DnsNames { get; init; } = [];

    public IReadOnlyList<string> Links { get; init; } = [];

    /// <summary>The --ip that was asked for (IPAMConfig.IPv4Address), if any.</summary>
    public string? RequestedIPv4 { get; init; }
}

/// <summary>A published port: container port/proto and the host address/port it is reachable on.</summary>
public sealed record PortBinding(int ContainerPort, string Protocol, string HostIp, int HostPort);
