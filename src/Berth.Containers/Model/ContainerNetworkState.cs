using Berth.Networking;

namespace Berth.Containers.Model;

/// <summary>
/// A container's network as attached at start: its namespace (Docker's SandboxKey), one
/// endpoint per network and the published ports. Kept after the container stops with the
/// operational data (addresses, ports, namespace) cleared, as Docker's inspect shows it.
/// </summary>
public sealed record ContainerNetworkState
{
    /// <summary>Path of the container's network namespace; empty when it has none of its own or is stopped.</summary>
    public string SandboxKey { get; init; } = string.Empty;

    public IReadOnlyList<EndpointInfo> Endpoints { get; init; } = [];

    public IReadOnlyList<PortBinding> Ports { get; init; } = [];

    /// <summary>The same state without what only a running container has.</summary>
    public ContainerNetworkState Released() => new()
    {
        Endpoints = [.. Endpoints.Select(e => e with { EndpointId = string.Empty, IPAddress = string.Empty, IPPrefixLen = 0, Gateway = string.Empty, MacAddress = string.Empty })],
    };

    public static ContainerNetworkState From(NetworkAttachment a) => new()
    {
        SandboxKey = a.NetnsPath ?? string.Empty,
        Endpoints = a.Endpoints,
        Ports = a.Ports,
    };
}
