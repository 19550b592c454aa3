namespace Berth.Networking;

/// <summary>
/// What the container service asks of networking before starting a container: a network
/// namespace prepared for the container's NetworkMode and endpoints, and the files Docker writes
/// into containers for name resolution. Released with the container (stop/rm) and reconciled on
/// daemon start.
/// </summary>
public sealed record NetworkAttachment
{
    /// <summary>Path of the prepared netns (e.g. /run/berth/netns/&lt;id&gt;), or null for --network host.</summary>
    public string? NetnsPath { get; init; }

    /// <summary>Content of /etc/hosts, /etc/resolv.conf and /etc/hostname for the container.</summary>
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
    IReadOnlyList<string> Aliases);

/// <summary>A published port: container port/proto and the host address/port it is reachable on.</summary>
public sealed record PortBinding(int ContainerPort, string Protocol, string HostIp, int HostPort);
