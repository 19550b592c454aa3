using System.Net;

namespace Berth.Platform.Net;

/// <summary>An IPv4 address assigned to an interface.</summary>
public sealed record AddressInfo(int Index, IPAddress Address, int PrefixLength);
