using Berth.Containers.Health;
using Berth.Containers.Model;
using Berth.Containers.Restart;
using Berth.Runtime;

namespace Berth.Containers;

internal sealed partial class ContainerLifecycle
{
    /// <summary>
    /// Daemon start: loads the records, removes half-created containers, re-attaches to containers
    /// whose monitor survived (live restore: a process that exited meanwhile reports its real exit
    /// code), marks the others stopped, then applies restart policies and --rm.
    /// </summary>
    public async Task InitializeAsync(CancellationToken cancellationToken)
    {
        foreach (var orphan in _store.Load())
        {
            LogInfo(_logger, orphan, "removing a container that was not completely created");
            await DeleteResourcesAsync(orphan).ConfigureAwait(false);
        }

        IReadOnlyList<string> alive;
        try
        {
            alive = await _runtime.RecoverAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogWarning(_logger, "-", "recovering containers from the runtime", e);
            alive = [];
        }

        var aliveSet = new HashSet<string>(alive, StringComparer.Ordinal);
        var toStart = new List<string>();
        var toRemove = new List<string>();
        var running = new List<string>();
        foreach (var c0 in _store.Snapshot.ById.Values)
        {
            var c = c0;
            var entry = Entry(c.Id);
            _volumes.ReleaseStaleCopyUpView(c);
            _archives.ReleaseStaleArchiveViews(c.Directory, c.Id);
            if (c.State.RemovalInProgress || c.State.Dead)
            {
                toRemove.Add(c.Id);
                continue;
            }

            if (!(c.State.Running && !c.State.Restarting) && aliveSet.Contains(c.Id))
            {
                // The runtime started a process that the record does not show (the daemon died, or
                // the save failed, between the runtime's start and the record): adopt it, or clear it.
                c = await ReconcileUnrecordedStartAsync(c, cancellationToken).ConfigureAwait(false);
            }

            if (c.State.Running && !c.State.Restarting && aliveSet.Contains(c.Id))
            {
                RuntimeStatus? status = null;
                try
                {
                    status = await _runtime.GetStatusAsync(c.Id, cancellationToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogWarning(_logger, c.Id, "reading the runtime status", e);
                }

                var paused = status?.State == RuntimeState.Paused;
                if (paused != c.State.Paused || (status is { Pid: > 0 } s && s.Pid != c.State.Pid))
                {
                    c = Commit(c with { State = c.State with { Paused = paused, Pid = status is { Pid: > 0 } st ? st.Pid : c.State.Pid } });
                }

                running.Add(c.Id);
                entry.RunGeneration++;
                WatchExit(entry, c.Id, entry.RunGeneration);
                if (!paused && HealthRules.HasProbe(c.Config.Healthcheck))
                {
                    _health.StartHealthMonitor(entry, c);
                }

                continue;
            }

            if (c.State.Running)
            {
                // Its monitor is gone (host reboot, monitor killed): the exit code is unknown.
                c = Commit(c with
                {
                    State = c.State with
                    {
                        Running = false,
                        Paused = false,
                        Restarting = false,
                        Pid = 0,
                        ExitCode = c.State.Restarting ? c.State.ExitCode : 255,
                        FinishedAt = c.State.Restarting ? c.State.FinishedAt : _time.GetUtcNow(),
                    },
                    Network = c.Network?.Released(),
                });
            }

            if (c.HostConfig.AutoRemove)
            {
                toRemove.Add(c.Id);
            }
            else if (RestartBackoff.ShouldStartOnDaemonStart(c))
            {
                toStart.Add(c.Id);
            }
        }

        if (Networks is not null)
        {
            // Namespaces, interfaces, ports and DNS records of containers that are gone are released.
            await Networks.ReconcileAsync(running, cancellationToken).ConfigureAwait(false);
        }

        foreach (var id in toRemove)
        {
            await RemoveStoppedAsync(Entry(id), id, cancellationToken).ConfigureAwait(false);
        }

        foreach (var id in toStart)
        {
            Background(async () =>
            {
                var entry = Entry(id);
                await entry.Gate.WaitAsync(_shutdown.Token).ConfigureAwait(false);
                try
                {
                    if (TryCurrent(id) is { State.Running: false } c)
                    {
                        await StartLockedAsync(entry, c).ConfigureAwait(false);
                    }
                }
                finally
                {
                    entry.Gate.Release();
                }
            });
        }
    }

    /// <summary>
    /// A container whose record says created, exited or restarting while its monitor lives: every
    /// window of the start path between "the runtime started the process" and "the record says
    /// running" ends here after a crash. A process that runs (or ran and left an exit record) is
    /// the truth: the record becomes running with its pid and network, and the exit watcher then
    /// records a real exit as usual. A monitor without a process (runc still creating, or failed)
    /// is deleted, so the record's state stays true.
    /// </summary>
    private async Task<Container> ReconcileUnrecordedStartAsync(Container c, CancellationToken cancellationToken)
    {
        RuntimeStatus? status = null;
        try
        {
            status = await _runtime.GetStatusAsync(c.Id, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogWarning(_logger, c.Id, "reading the runtime status", e);
        }

        var ran = status is { State: RuntimeState.Running or RuntimeState.Paused, Pid: > 0 } or { State: RuntimeState.Stopped };
        if (!ran)
        {
            LogInfo(_logger, c.Id, "deleting a runtime container whose start was not completed");
            await _runtime.DeleteAsync(c.Id, cancellationToken).ConfigureAwait(false);
            return c;
        }

        LogInfo(_logger, c.Id, "adopting a process whose start was not recorded");
        ContainerNetworkState? network = null;
        if (Networks is not null)
        {
            try
            {
                var attachment = await Networks.GetAttachmentAsync(c.Id, cancellationToken).ConfigureAwait(false);
                network = attachment is null ? null : ContainerNetworkState.From(attachment);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogWarning(_logger, c.Id, "reading the network attachment", e);
            }
        }

        return Commit(c with
        {
            Network = network ?? c.Network,
            State = c.State with
            {
                Running = true,
                Restarting = false,
                Paused = status!.State == RuntimeState.Paused,
                Dead = false,
                OomKilled = false,
                Pid = status.Pid,
                ExitCode = 0,
                Error = string.Empty,
                StartedAt = _time.GetUtcNow(),
            },
        });
    }

    /// <summary>
    /// Daemon shutdown without live restore: containers are stopped (stop signal, their timeout,
    /// then SIGKILL), as dockerd does. With live restore they keep running.
    /// </summary>
    public async Task StopAtShutdownAsync()
    {
        Core.DaemonStopping = true;
        if (!_options.LiveRestore)
        {
            var running = _store.Snapshot.ById.Values.Where(c => c.State.Running).Select(c => c.Id).ToList();
            await Task.WhenAll(running.Select(async id =>
            {
                try
                {
                    await StopCoreAsync(id, null, null).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogWarning(_logger, id, "stopping at shutdown", e);
                }
            })).ConfigureAwait(false);
        }
    }
}
