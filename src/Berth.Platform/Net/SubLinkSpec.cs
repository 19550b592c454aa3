using Microsoft.Win32.SafeHandles;

namespace Berth.Platform.Net;

/// <summary>A macvlan or ipvlan link on a parent, created directly inside <see cref="Namespace"/> as <see cref="Name"/>.</summary>
public sealed record SubLinkSpec
{
    public required string Name { get; init; }

    public required int ParentIndex { get; init; }

    public SafeFileHandle? Namespace { get; init; }

    public byte[]? Mac { get; init; }

    public int Mtu { get; init; }

    /// <summary>Interface index to request in the target namespace (0 = the kernel picks).</summary>
    public int Index { get; init; }
}
