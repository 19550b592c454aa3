using System.Net;

namespace Berth.Networking.Dns;

/// <summary>
/// A server the embedded DNS forwards unknown names to. <see cref="FromHost"/> marks a localhost
/// server of the host's resolv.conf: queries go out from the daemon's namespace; every other
/// server is reached from inside the container's namespace, as with Docker.
/// </summary>
public sealed record DnsUpstreamServer(IPAddress Address, bool FromHost);
