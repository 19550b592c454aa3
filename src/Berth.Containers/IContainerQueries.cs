using Berth.Containers.Query;
using Berth.Containers.Store;
using Berth.Runtime;

namespace Berth.Containers;

/// <summary>
/// The read side (moby's monitorBackend): list, inspect, diff, stats and top, and the snapshot
/// that /info and system df count from. Nothing here changes a container.
/// </summary>
public interface IContainerQueries : IContainerLookup
{
    /// <summary>The current read model: every container, immutable.</summary>
    ContainerSnapshot Snapshot { get; }

    /// <summary>docker ps: one snapshot, filtered; sizes only when asked.</summary>
    Task<IReadOnlyList<ContainerListItem>> ListAsync(ContainerListOptions options, CancellationToken cancellationToken);

    /// <summary>docker inspect: the record with what lives outside it (writable layer, exec IDs, sizes when asked).</summary>
    Task<ContainerInspection> InspectAsync(string idOrName, bool size, CancellationToken cancellationToken);

    /// <summary>docker diff: added, changed and deleted paths of the writable layer.</summary>
    IReadOnlyList<(string Path, FilesystemChangeKind Kind)> Changes(string idOrName);

    /// <summary>One stats sample; null for a container that does not run (Docker then reports zeroes).</summary>
    Task<ContainerStatsSample?> GetStatsAsync(string idOrName, CancellationToken cancellationToken);

    /// <summary>docker top: the host's ps (default "-ef"), filtered to the container's processes.</summary>
    Task<(IReadOnlyList<string> Titles, IReadOnlyList<IReadOnlyList<string>> Processes)> TopAsync(string idOrName, string? psArgs, CancellationToken cancellationToken);
}
