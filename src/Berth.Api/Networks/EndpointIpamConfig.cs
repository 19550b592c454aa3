namespace Berth.Api.Networks;

/// <summary>--ip / --ip6 / --link-local-ip of an endpoint.</summary>
public sealed record EndpointIpamConfig
{
    public string? IPv4Address { get; init; }

    public string? IPv6Address { get; init; }

    public List<string>? LinkLocalIPs { get; init; }
}
