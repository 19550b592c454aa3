namespace Berth.Networking.Model;

/// <summary>
/// What a container asks of one network (Docker's EndpointSettings as given at create or
/// network connect): --network-alias, --ip, --mac-address, --link (on user networks),
/// --link-local-ip, --driver-opt.
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

    /// <summary>--link-local-ip: extra IPv4 link-local addresses (169.254.0.0/16) on the container's interface (IPAMConfig.LinkLocalIPs).</summary>
    public IReadOnlyList<string> LinkLocalIPs { get; init; } = [];

    /// <summary>--driver-opt: options for the network driver, kept and shown as given (the drivers here take none, as dockerd 20.10's bridge ignores unknown ones).</summary>
    public IReadOnlyDictionary<string, string> DriverOpts { get; init; } = new Dictionary<string, string>();
}
