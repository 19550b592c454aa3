namespace Berth.Networking.Dns;

/// <summary>
/// What the embedded DNS server knows about one container: the DNS-enabled networks it is on
/// (in join order, with container-scoped link aliases per network) and where to forward the rest.
/// Immutable: changes replace the whole object.
/// </summary>
public sealed record DnsSandbox(
    string ContainerId,
    string NetnsPath,
    IReadOnlyList<DnsSandboxNetwork> Networks,
    IReadOnlyList<DnsUpstreamServer> Upstreams);
