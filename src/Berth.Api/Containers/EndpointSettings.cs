using System.Text.Json;

namespace Berth.Api.Containers;

public sealed class EndpointSettings
{
    public JsonElement? IPAMConfig { get; init; }

    public List<string>? Links { get; init; }

    public List<string>? Aliases { get; init; }

    public string MacAddress { get; init; } = string.Empty;

    public Dictionary<string, string>? DriverOpts { get; init; }

    public int GwPriority { get; init; }

    public string NetworkID { get; init; } = string.Empty;

    public string EndpointID { get; init; } = string.Empty;

    public string Gateway { get; init; } = string.Empty;

    public string IPAddress { get; init; } = string.Empty;

    public int IPPrefixLen { get; init; }

    public string IPv6Gateway { get; init; } = string.Empty;

    public string GlobalIPv6Address { get; init; } = string.Empty;

    public int GlobalIPv6PrefixLen { get; init; }

    public List<string>? DNSNames { get; init; }
}
