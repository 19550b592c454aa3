using Berth.Containers.Archive;

namespace Berth.Containers;

/// <summary>HEAD, GET and PUT /containers/{id}/archive (docker cp) and GET /containers/{id}/export: moby's copyBackend.</summary>
public interface IContainerArchive : IContainerLookup
{
    /// <summary>docker export: the container's whole root filesystem (flattened) as a tar stream.</summary>
    Task ExportAsync(string idOrName, Stream output, CancellationToken cancellationToken);

    /// <summary>HEAD /archive: stat of a path in the container (symlinks at the end not followed).</summary>
    Task<ArchiveStat> StatPathAsync(string idOrName, string path, CancellationToken cancellationToken);

    /// <summary>GET /archive: the stat (for the header) and a writer of the tar of the path.</summary>
    Task GetArchiveAsync(string idOrName, string path, Func<ArchiveStat, Stream> start, CancellationToken cancellationToken);

    /// <summary>PUT /archive: extracts a tar into the directory at <paramref name="path"/>.</summary>
    Task PutArchiveAsync(string idOrName, string path, Stream input, bool noOverwriteDirNonDir, bool copyUidGid, CancellationToken cancellationToken);
}
