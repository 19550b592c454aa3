namespace Berth.Networking.Model;

/// <summary>
/// What a container asks of one network (Docker's EndpointSettings as given at create or
/// network connect): --network-alias, --ip, --mac-address, --link (on user networks).
/// </summary>
public sealed record EndpointRequest
{
    public IReadOnlyList<string> Aliases { get; init; } = [];

    /// <summary>--ip: a fixed IPv4 address (user networks with a configured subnet only).</summary>
    public string? IPv4Address { get; init; }

    public string? IPv6Address { get; init; }

    /// <summary>--mac-address.</summary>
    public string? MacAddress { get; init; }

    /// <summary>Legacy links "container:alias" (or Docker's "/container:/me/alias").</summary>
    public IReadOnlyList<string> Links { get; init; } = [];

    public IReadOnlyDictionary<string, string> DriverOpts { get; init; } = new Dictionary<string, string>();
}
