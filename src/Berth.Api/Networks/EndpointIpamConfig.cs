using System.Text.Json.Serialization;

namespace Berth.Api.Networks;

/// <summary>--ip / --ip6 / --link-local-ip of an endpoint; fields left out when unset (Go's omitempty), as dockerd writes them.</summary>
public sealed record EndpointIpamConfig
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? IPv4Address { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public string? IPv6Address { get; init; }

    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public List<string>? LinkLocalIPs { get; init; }
}
