namespace Berth.Api.Networks;

/// <summary>One entry of network inspect's Containers map (Docker's EndpointResource).</summary>
public sealed record NetworkContainer
{
    public required string Name { get; init; }

    public required string EndpointID { get; init; }

    public required string MacAddress { get; init; }

    /// <summary>"172.18.0.2/16".</summary>
    public required string IPv4Address { get; init; }

    public string IPv6Address { get; init; } = string.Empty;
}
