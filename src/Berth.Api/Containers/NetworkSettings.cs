using Berth.Api.Networks;

namespace Berth.Api.Containers;

/// <summary>Inspect's NetworkSettings (with the legacy top-level address fields Docker still sends).</summary>
public sealed class NetworkSettings
{
    public string Bridge { get; init; } = string.Empty;

    public string SandboxID { get; init; } = string.Empty;

    /// <summary>Deprecated in API 1.44, sent by dockerd up to 1.51 (never set by Berth either).</summary>
    public bool HairpinMode { get; init; }

    public string LinkLocalIPv6Address { get; init; } = string.Empty;

    public int LinkLocalIPv6PrefixLen { get; init; }

    public Dictionary<string, List<PortBinding>?> Ports { get; init; } = [];

    public string SandboxKey { get; init; } = string.Empty;

    public List<string>? SecondaryIPAddresses { get; init; }

    public List<string>? SecondaryIPv6Addresses { get; init; }

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
