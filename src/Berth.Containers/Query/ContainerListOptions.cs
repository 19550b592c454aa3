using Berth.Core.Filters;

namespace Berth.Containers.Query;

/// <summary>GET /containers/json: all, limit (most recent N, any state), size, filters.</summary>
public sealed record ContainerListOptions
{
    public bool All { get; init; }

    public int Limit { get; init; }

    public bool Size { get; init; }

    public FilterSet Filters { get; init; } = FilterSet.Empty;
}
