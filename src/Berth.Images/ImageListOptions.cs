using Berth.Core.Filters;

namespace Berth.Images;

/// <summary>GET /images/json: all (show intermediate images), filters, and which figures to compute.</summary>
public sealed record ImageListOptions
{
    public bool All { get; init; }

    public FilterSet Filters { get; init; } = FilterSet.Empty;

    public bool SharedSize { get; init; }

    public bool ContainerCounts { get; init; }
}
