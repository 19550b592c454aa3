using Berth.Api.Networks;

namespace Berth.Api.Containers;

/// <summary>Inspect's NetworkSettings (with the legacy top-level address fields Docker still sends).</summary>
public sealed class NetworkSettings
{
    public string Bridge { get; init; } = string.Empty;

    public string SandboxID { get; init; } = string.Empty;

    public Dictionary<string, List<PortBinding>?> Ports { get; init; } = [];

    public string SandboxKey { get; init; } = string.Empty;

    public string EndpointID { get; init; } = string.Empty;

    public string Gateway { get; init; } = string.Empty;

    public string GlobalIPv6Address { get; init; } = string.Empty;

    public int GlobalIPv6PrefixLen { get; init; }

    public string IPAddress { get; init; } = string.Empty;

    public int IPPrefixLen { get; init; }

    public string IPv6Gateway { get; init; } = string.Empty;

    public string MacAddress { get; init; } = string.Empty;

    public Dictionary<string, EndpointSettings> Networks { get; init; } = [];
}
