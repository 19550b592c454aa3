using Microsoft.Win32.SafeHandles;

namespace Berth.Platform.Net;

/// <summary>
/// A veth pair created in one request: <see cref="Name"/> stays in the socket's namespace (attached
/// to <see cref="MasterIndex"/> and brought up), the peer is created directly inside
/// <see cref="PeerNamespace"/> under <see cref="PeerName"/> with <see cref="PeerMac"/>.
/// </summary>
public sealed record VethSpec
{
    public required string Name { get; init; }

    public required string PeerName { get; init; }

    public SafeFileHandle? PeerNamespace { get; init; }

    public byte[]? PeerMac { get; init; }

    public int MasterIndex { get; init; }

    public int Mtu { get; init; }

    /// <summary>Interface index to give the peer in its namespace (0 = the kernel picks); saves a lookup afterwards.</summary>
    public int PeerIndex { get; init; }
}
