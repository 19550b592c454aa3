using Berth.Networking.Ports;

namespace Berth.Networking.Model;

/// <summary>
/// Everything <see cref="NetworkService.AttachAsync"/> needs to give a container its network:
/// the container service builds it from the container's config and host config at start.
/// </summary>
public sealed record ContainerNetworkRequest
{
    public required string ContainerId { get; init; }

    /// <summary>Container name without the leading slash (its DNS name on user networks).</summary>
    public required string ContainerName { get; init; }

    public string Hostname { get; init; } = string.Empty;

    public string Domainname { get; init; } = string.Empty;

    /// <summary>
    /// HostConfig.NetworkMode: "" / "default" / "bridge", "none", "host",
    /// "container:&lt;netns path of the other container&gt;", or a network name or id.
    /// </summary>
    public string NetworkMode { get; init; } = "default";

    /// <summary>NetworkingConfig.EndpointsConfig: per network (name or id) endpoint settings. The NetworkMode network is joined first.</summary>
    public IReadOnlyDictionary<string, EndpointRequest> Endpoints { get; init; } = new Dictionary<string, EndpointRequest>();

    /// <summary>HostConfig.PortBindings: "80/tcp" → [{HostIp, HostPort}].</summary>
    public IReadOnlyDictionary<string, IReadOnlyList<PortBindingRequest>> PortBindings { get; init; } = new Dictionary<string, IReadOnlyList<PortBindingRequest>>();

    /// <summary>HostConfig.PublishAllPorts (-P) over <see cref="ExposedPorts"/>.</summary>
    public bool PublishAllPorts { get; init; }

    /// <summary>Config.ExposedPorts keys ("80/tcp").</summary>
    public IReadOnlyList<string> ExposedPorts { get; init; } = [];

    /// <summary>--add-host entries "name:ip" (Docker also accepts "name=ip").</summary>
    public IReadOnlyList<string> ExtraHosts { get; init; } = [];

    public IReadOnlyList<string> Dns { get; init; } = [];

    public IReadOnlyList<string> DnsSearch { get; init; } = [];

    public IReadOnlyList<string> DnsOptions { get; init; } = [];

    /// <summary>
    /// Where the container's hosts and resolv.conf files live (bind-mounted by the runtime). When
    /// set, the service writes them and rewrites them on network connect/disconnect, as Docker does.
    /// </summary>
    public string? HostsPath { get; init; }

    public string? ResolvConfPath { get; init; }
}
