using System.Globalization;
using Berth.Containers.Create;
using Berth.Containers.Model;
using Berth.Containers.Naming;
using Berth.Core.Errors;
using Berth.Core.Filters;
using Berth.Platform.Mounts;

namespace Berth.Containers;

internal sealed partial class ContainerLifecycle
{
    /// <summary>
    /// docker rm --link /parent/alias: the link is the parent's network setting (<see cref="ContainerNetworking.RemoveLinkAsync"/>).
    /// </summary>
    public Task RemoveLinkAsync(string name, CancellationToken cancellationToken) => _networking.RemoveLinkAsync(name, cancellationToken);

    public async Task RenameAsync(string idOrName, string newName, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(idOrName) || string.IsNullOrEmpty(newName))
        {
            throw BerthException.Invalid("Neither old nor new names may be empty");
        }

        var name = ContainerNames.Normalize(newName);
        var id = Get(idOrName).Id;
        var entry = Entry(id);
        await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var c = Current(id);
            if (c.Name == name)
            {
                throw BerthException.Invalid("Renaming a container with the same name as its current name");
            }

            _store.ReserveName(name, id);
            var oldName = c.Name;
            try
            {
                c = Commit(c with { Name = name });
            }
            catch
            {
                _store.ReleaseName(name, id);
                throw;
            }

            Publish(c, "rename", new Dictionary<string, string> { ["oldName"] = "/" + oldName });
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    /// <summary>
    /// Removes a container: Conflict when it runs (unless <paramref name="force"/>, which kills it
    /// first). Named volumes are another service's; <paramref name="removeVolumes"/> has nothing to
    /// remove for bind mounts and tmpfs.
    /// </summary>
    public async Task RemoveAsync(string idOrName, bool force, bool removeVolumes, CancellationToken cancellationToken)
    {
        var c = Get(idOrName);
        var entry = Entry(c.Id);
        if (c.State.RemovalInProgress)
        {
            throw BerthException.Conflict($"removal of container {idOrName} is already in progress");
        }

        if (c.State.Running && !force)
        {
            var why = c.State.Paused
                ? "container is paused and must be unpaused first"
                : $"container is {c.State.Status}: stop the container before removing or force remove";
            throw BerthException.Conflict($"cannot remove container \"/{c.Name}\": {why}");
        }

        if (c.State.Running)
        {
            if (await SignalAsync(entry, c.Id, Signals.SigKill, exitRequested: true).ConfigureAwait(false))
            {
                await WaitNotRunningAsync(entry, c.Id, KillGrace).ConfigureAwait(false);
            }

            if (TryCurrent(c.Id) is { State.Running: true })
            {
                throw new BerthException(ErrorKind.Internal, $"cannot remove container \"/{c.Name}\": could not kill container: the container did not exit");
            }
        }

        await RemoveStoppedAsync(entry, c.Id, cancellationToken, removeVolumes).ConfigureAwait(false);
    }

    private async Task RemoveStoppedAsync(ContainerEntry entry, string id, CancellationToken cancellationToken, bool removeVolumes = false)
    {
        Container c;
        await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var current = TryCurrent(id);
            if (current is null)
            {
                return;
            }

            if (current.State.Running)
            {
                throw BerthException.Conflict($"cannot remove container \"/{current.Name}\": container is {current.State.Status}: stop the container before removing or force remove");
            }

            // A container run by a monitor this daemon cannot speak to (one of a newer berth) keeps
            // its record: removing it would orphan its processes. The runtime refuses it (409).
            try
            {
                _ = await _runtime.GetStatusAsync(id, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException and not BerthException { Kind: ErrorKind.Conflict })
            {
                LogWarning(_logger, id, "reading the runtime status", e);
            }

            CancelPendingRestart(entry);
            ContainerHealthChecks.StopHealthMonitor(entry);
            c = Commit(current with { State = current.State with { RemovalInProgress = true } }, persist: false);

            // The record goes first: from here on the container is gone, whatever happens to the rest.
            _store.Delete(id);
            if (removeVolumes)
            {
                _volumes.RemoveAnonymousVolumes(c);
            }

            _execs.ForgetContainer(id);
            Core.ForgetEntry(id);
            entry.MarkRemoved(c.State.ExitCode);
        }
        finally
        {
            entry.Gate.Release();
        }

        Publish(c, "destroy");

        // The expensive part (runtime state, rootfs unmount, writable layer, log directory) runs
        // after the answer: nothing can reach this ID any more, its name is free, and the
        // container directory goes last, so a daemon that dies half-way finds a directory
        // without a record at start and finishes the job (InitializeAsync).
        Background(() => DeleteResourcesAsync(id));
    }

    /// <summary>Runtime state, writable layer and the container's directory (logs included).</summary>
    private async Task DeleteResourcesAsync(string id)
    {
        try
        {
            await _runtime.DeleteAsync(id, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogWarning(_logger, id, "deleting the runtime state", e);
        }

        try
        {
            await _images.RemoveRootfsAsync(id, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogWarning(_logger, id, "removing the writable layer", e);
        }

        var dir = _store.DirectoryOf(id);
        try
        {
            // A copy-up view left mounted by a daemon killed mid-copy must never be walked into:
            // it shows the image's layers and the volume.
            var view = Path.Combine(dir, "copyup");
            if (Directory.Exists(view))
            {
                Mounter.Unmount(view);
                if (Mounter.IsMountPoint(view))
                {
                    throw new IOException($"{view} is still mounted");
                }
            }

            // Likewise a cp view (rootfs with the volumes mounted in it) left by a killed daemon.
            _archives.ReleaseStaleArchiveViews(dir, id);
            foreach (var archiveView in Directory.Exists(dir) ? Directory.EnumerateDirectories(dir, "view-*") : [])
            {
                throw new IOException($"{archiveView} is still mounted");
            }

            if (Directory.Exists(dir))
            {
                Directory.Delete(dir, recursive: true);
            }
        }
        catch (IOException e)
        {
            // ErrnoException (a failed unmount) is an IOException too.
            LogWarning(_logger, id, "removing the container directory", e);
        }
    }

    /// <summary>--rm: removes the container once the streams attached to it have drained (they may still be reading its log).</summary>
    private async Task AutoRemoveAsync(ContainerEntry entry, string id)
    {
        await entry.WaitStreamsAsync(TimeSpan.FromSeconds(5), _time).ConfigureAwait(false);
        try
        {
            await RemoveStoppedAsync(entry, id, CancellationToken.None, removeVolumes: true).ConfigureAwait(false);
        }
        catch (BerthException e) when (e.Kind == ErrorKind.Conflict)
        {
            // Started again meanwhile: nothing to remove.
        }
    }

    /// <summary>Removes stopped containers (created, exited, dead) matching label/label!/until filters.</summary>
    public async Task<PruneResult> PruneAsync(FilterSet filters, CancellationToken cancellationToken)
    {
        filters.Accept("label", "label!", "until");
        var now = _time.GetUtcNow();
        var until = filters.Get("until").Select(u => TimeFilter.Parse(u, now)!.Value).DefaultIfEmpty(DateTimeOffset.MaxValue).Min();
        var deleted = new List<string>();
        long reclaimed = 0;
        foreach (var c in _store.Snapshot.NewestFirst)
        {
            if (c.State.Running || c.State.RemovalInProgress || c.Created >= until || !filters.MatchesLabels("label", c.Config.Labels))
            {
                continue;
            }

            if (filters.Has("label!") && filters.Get("label!").Any(l => LabelMatches(l, c.Config.Labels)))
            {
                continue;
            }

            long size = 0;
            try
            {
                size = _images.GetRootfsSize(c.Id);
            }
            catch (Exception e) when (e is IOException or BerthException)
            {
            }

            try
            {
                await RemoveStoppedAsync(Entry(c.Id), c.Id, cancellationToken).ConfigureAwait(false);
                deleted.Add(c.Id);
                reclaimed += size;
            }
            catch (BerthException e) when (e.Kind is ErrorKind.Conflict or ErrorKind.NotFound)
            {
            }
        }

        _events.Publish("container", "prune", string.Empty, new Dictionary<string, string> { ["reclaimed"] = reclaimed.ToString(CultureInfo.InvariantCulture) });
        return new PruneResult(deleted, reclaimed);
    }

    private static bool LabelMatches(string filter, IReadOnlyDictionary<string, string> labels)
    {
        var eq = filter.IndexOf('=', StringComparison.Ordinal);
        return eq < 0 ? labels.ContainsKey(filter) : labels.TryGetValue(filter[..eq], out var v) && v == filter[(eq + 1)..];
    }

    /// <summary>Changes resource limits (applied at once to a running container) and/or the restart policy.</summary>
    public async Task<IReadOnlyList<string>> UpdateAsync(string idOrName, ContainerUpdate update, CancellationToken cancellationToken)
    {
        var id = Get(idOrName).Id;
        var entry = Entry(id);
        await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var c = Current(id);
            if (c.State.RemovalInProgress || c.State.Dead)
            {
                throw BerthException.Conflict($"Cannot update container {c.Id}: container is marked for removal and cannot be \"update\"");
            }

            var r = c.HostConfig.Resources;
            var memorySwap = update.MemorySwap ?? (update.Memory is { } newMem && r.MemorySwap == r.Memory * 2 && r.Memory > 0 ? newMem * 2 : r.MemorySwap);
            var requested = r with
            {
                CpuShares = update.CpuShares ?? r.CpuShares,
                Memory = update.Memory ?? r.Memory,
                MemorySwap = memorySwap,
                MemoryReservation = update.MemoryReservation ?? r.MemoryReservation,
                NanoCpus = update.NanoCpus ?? r.NanoCpus,
                CpuPeriod = update.CpuPeriod ?? r.CpuPeriod,
                CpuQuota = update.CpuQuota ?? r.CpuQuota,
                CpusetCpus = update.CpusetCpus ?? r.CpusetCpus,
                CpusetMems = update.CpusetMems ?? r.CpusetMems,
                PidsLimit = update.PidsLimit ?? r.PidsLimit,
                BlkioWeight = update.BlkioWeight ?? r.BlkioWeight,
            };
            if (update.Memory is { } m && update.MemorySwap is null && r.MemorySwap > 0 && m > r.MemorySwap && memorySwap == r.MemorySwap)
            {
                throw BerthException.Invalid($"Cannot update container {c.Id}: Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time");
            }

            var warnings = new List<string>();
            var resources = CreateValidator.ValidateResources(requested, _options, warnings);
            var hc = c.HostConfig with { Resources = resources };
            if (update.RestartPolicy is { } policy)
            {
                var p = policy.Name.Length == 0 ? RestartPolicy.None : policy;
                CreateValidator.ValidateRestartPolicy(p);
                if (c.HostConfig.AutoRemove && !p.IsNone)
                {
                    throw BerthException.Invalid("Restart policy cannot be updated because AutoRemove is enabled for the container");
                }

                hc = hc with { RestartPolicy = p };
            }

            if (c.State.Running && !c.State.Restarting)
            {
                await _runtime.UpdateAsync(id, LaunchBuilder.ToRuntime(resources, hc.OomScoreAdj), cancellationToken).ConfigureAwait(false);
            }

            c = Commit(c with { HostConfig = hc });
            Publish(c, "update");
            return warnings;
        }
        finally
        {
            entry.Gate.Release();
        }
    }
}
