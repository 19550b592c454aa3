using Berth.Containers.Health;
using Berth.Containers.Model;
using Berth.Containers.Restart;
using Berth.Runtime;

namespace Berth.Containers;

public sealed partial class ContainerService
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
            ReleaseStaleCopyUpView(c);
            ReleaseStaleArchiveViews(c.Directory, c.Id);
            if (c.State.RemovalInProgress || c.State.Dead)
            {
                toRemove.Add(c.Id);
                continue;
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
                    StartHealthMonitor(entry, c);
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
    /// Daemon shutdown without live restore: containers are stopped (stop signal, their timeout,
    /// then SIGKILL), as dockerd does. With live restore they keep running.
    /// </summary>
    public async Task ShutdownAsync()
    {
        _daemonStopping = true;
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

        await DisposeAsync().ConfigureAwait(false);
    }
}
