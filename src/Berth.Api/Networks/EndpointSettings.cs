namespace Berth.Api.Networks;

/// <summary>Docker's network.EndpointSettings: what a container asks of a network and what inspect reports.</summary>
public sealed record EndpointSettings
{
    public EndpointIpamConfig? IPAMConfig { get; init; }

    public List<string>? Links { get; init; }

    public List<string>? Aliases { get; init; }

    public string? MacAddress { get; init; }

    public Dictionary<string, string>? DriverOpts { get; init; }

    public long GwPriority { get; init; }

    public string? NetworkID { get; init; }

    public string? EndpointID { get; init; }

    public string? Gateway { get; init; }

    public string? IPAddress { get; init; }

    public int IPPrefixLen { get; init; }

    public string? IPv6Gateway { get; init; }

    public string? GlobalIPv6Address { get; init; }

    public int GlobalIPv6PrefixLen { get; init; }

    public List<string>? DNSNames { get; init; }
}
