using System.Net;

namespace Berth.Platform.Net;

/// <summary>An IPv4 route of the main table (Destination null = default route).</summary>
public sealed record RouteInfo(IPAddress? Destination, int PrefixLength, IPAddress? Gateway, int OutIndex);
