using Berth.Containers.Query;
using Berth.Containers.Store;
using Berth.Core.Errors;
using Berth.Runtime;

namespace Berth.Containers;

/// <summary>
/// The read side: list and inspect from the snapshot, sizes, diff, stats and top. Nothing here
/// takes a container's lock or changes a record.
/// </summary>
internal sealed class ContainerQueries(ContainerCore core, ContainerExecs execs) : ContainerOwner(core), IContainerQueries
{
    /// <summary>The current read model: every container, immutable.</summary>
    public ContainerSnapshot Snapshot => _store.Snapshot;

    /// <summary>docker ps: one snapshot, filtered; sizes (writable layer) only when asked, as they cost a walk of the layer.</summary>
    public async Task<IReadOnlyList<ContainerListItem>> ListAsync(ContainerListOptions options, CancellationToken cancellationToken)
    {
        HashSet<string>? ancestors = null;
        if (options.Filters.Has("ancestor"))
        {
            ancestors = new HashSet<string>(StringComparer.Ordinal);
            foreach (var a in options.Filters.Get("ancestor"))
            {
                try
                {
                    ancestors.Add((await _images.ResolveAsync(a, cancellationToken).ConfigureAwait(false)).Id);
                }
                catch (BerthException e) when (e.Kind == ErrorKind.NotFound)
                {
                    // Docker ignores an ancestor it cannot find (no container matches it).
                }
            }
        }

        var containers = ContainerFilter.Apply(_store.Snapshot, options, ancestors);
        if (!options.Size)
        {
            return [.. containers.Select(c => new ContainerListItem(c, null, null))];
        }

        var imageSizes = new Dictionary<string, long>(StringComparer.Ordinal);
        var items = new List<ContainerListItem>(containers.Count);
        foreach (var c in containers)
        {
            if (!imageSizes.TryGetValue(c.ImageId, out var imageSize))
            {
                imageSize = await ImageSizeAsync(c.ImageId, cancellationToken).ConfigureAwait(false);
                imageSizes[c.ImageId] = imageSize;
            }

            var rw = SizeRw(c.Id);
            items.Add(new ContainerListItem(c, rw, rw + imageSize));
        }

        return items;
    }

    /// <summary>docker inspect: the record, its writable layer, its exec IDs and (when asked) its sizes.</summary>
    public async Task<ContainerInspection> InspectAsync(string idOrName, bool size, CancellationToken cancellationToken)
    {
        var c = Get(idOrName);
        var rw = size ? SizeRw(c.Id) : (long?)null;
        var rootSize = rw is { } n ? n + await ImageSizeAsync(c.ImageId, cancellationToken).ConfigureAwait(false) : (long?)null;
        return new ContainerInspection(c, RootfsOf(c.Id), execs.ExecIdsOf(c.Id), rw, rootSize);
    }

    /// <summary>Unpacked size of an image (0 when it is gone): SizeRootFs is the image plus the writable layer.</summary>
    public async Task<long> ImageSizeAsync(string imageId, CancellationToken cancellationToken)
    {
        try
        {
            return (await _images.ResolveAsync(imageId, cancellationToken).ConfigureAwait(false)).Size;
        }
        catch (BerthException)
        {
            return 0;
        }
    }

    /// <summary>Bytes in the container's writable layer (0 when unknown).</summary>
    public long SizeRw(string id)
    {
        try
        {
            return _images.GetRootfsSize(id);
        }
        catch (Exception e) when (e is IOException or BerthException or UnauthorizedAccessException)
        {
            return 0;
        }
    }

    /// <summary>The container's writable snapshot (null when unknown).</summary>
    public Berth.Core.Model.RootfsMount? RootfsOf(string id) => _images.GetRootfs(id);

    /// <summary>docker diff: added, changed and deleted paths of the writable layer.</summary>
    public IReadOnlyList<(string Path, FilesystemChangeKind Kind)> Changes(string idOrName)
    {
        var c = Get(idOrName);
        var rootfs = RootfsOf(c.Id) ?? throw new BerthException(ErrorKind.Internal, $"the writable layer of container {c.Id} is missing");
        return FilesystemChanges.Compute(rootfs.UpperDir, rootfs.LowerDirs, [.. c.Mounts.Select(m => m.Destination), .. (c.HostConfig.Tmpfs?.Keys ?? [])]);
    }
    /// <summary>One stats sample; null for a container that does not run (Docker then reports zeroes).</summary>
    public async Task<ContainerStatsSample?> GetStatsAsync(string idOrName, CancellationToken cancellationToken)
    {
        var c = Get(idOrName);
        if (!c.State.Running || c.State.Restarting)
        {
            return null;
        }

        try
        {
            return await _runtime.GetStatsAsync(c.Id, cancellationToken).ConfigureAwait(false);
        }
        catch (BerthException e) when (e.Kind is ErrorKind.NotFound or ErrorKind.Conflict)
        {
            return null;
        }
    }

    /// <summary>docker top: the host's ps (default "-ef"), filtered to the container's processes.</summary>
    public async Task<(IReadOnlyList<string> Titles, IReadOnlyList<IReadOnlyList<string>> Processes)> TopAsync(string idOrName, string? psArgs, CancellationToken cancellationToken)
    {
        var args = string.IsNullOrWhiteSpace(psArgs) ? "-ef" : psArgs;
        Query.TopParser.ValidateArgs(args);
        var pids = await ListPidsAsync(idOrName, cancellationToken).ConfigureAwait(false);
        var argv = args.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);

        // As Docker: ask ps for just these PIDs (-q); some options cannot be combined with it, then list all.
        var ps = await Berth.Platform.Processes.ProcessRunner.RunAsync("ps", [.. argv, "-q" + string.Join(',', pids)], timeout: TimeSpan.FromSeconds(30), cancellationToken: cancellationToken).ConfigureAwait(false);
        if (ps.ExitCode != 0)
        {
            ps = await Berth.Platform.Processes.ProcessRunner.RunAsync("ps", argv, timeout: TimeSpan.FromSeconds(30), cancellationToken: cancellationToken).ConfigureAwait(false);
        }

        if (ps.ExitCode != 0)
        {
            throw new BerthException(ErrorKind.Internal, $"ps: {ps.Stderr.Split('\n')[0].Trim()}");
        }

        if (TryCurrent(Get(idOrName).Id) is { } c)
        {
            Publish(c, "top");
        }

        return Query.TopParser.Parse(ps.Stdout, pids.ToHashSet());
    }

    /// <summary>Host PIDs of the container's processes (for top).</summary>
    public async Task<IReadOnlyList<int>> ListPidsAsync(string idOrName, CancellationToken cancellationToken)
    {
        var c = Get(idOrName);
        if (!c.State.Running)
        {
            throw BerthException.Conflict($"container {c.Id} is not running");
        }

        if (c.State.Restarting)
        {
            throw BerthException.Conflict($"Container {c.Id} is restarting, wait until the container is running");
        }

        return await _runtime.ListPidsAsync(c.Id, cancellationToken).ConfigureAwait(false);
    }
}
