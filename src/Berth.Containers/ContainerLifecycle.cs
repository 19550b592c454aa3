using System.Globalization;
using Berth.Containers.Create;
using Berth.Containers.Health;
using Berth.Containers.Model;
using Berth.Containers.Restart;
using Berth.Core.Errors;
using Berth.Runtime;

namespace Berth.Containers;

/// <summary>
/// The lifecycle state machine of containers: start, stop, kill, restart, pause, commit, rename,
/// update, remove and prune, the exit watcher, the restart manager and live restore. Every
/// change of one container is made under that container's lock (<see cref="ContainerEntry.Gate"/>);
/// a run counter keeps an old exit watcher from touching a newer run.
/// </summary>
internal sealed partial class ContainerLifecycle : ContainerOwner, IContainerLifecycle, IContainerCommit
{
    /// <summary>How long a SIGKILLed container gets to report its exit before kill/stop give up waiting.</summary>
    private static readonly TimeSpan KillGrace = TimeSpan.FromSeconds(30);

    private readonly ContainerHealthChecks _health;
    private readonly ContainerExecs _execs;
    private readonly ContainerNetworking _networking;
    private readonly ContainerVolumes _volumes;
    private readonly ContainerArchives _archives;

    public ContainerLifecycle(ContainerCore core, ContainerHealthChecks health, ContainerExecs execs, ContainerNetworking networking, ContainerVolumes volumes, ContainerArchives archives)
        : base(core)
    {
        _health = health;
        _execs = execs;
        _networking = networking;
        _volumes = volumes;
        _archives = archives;
    }

    public async Task StartAsync(string idOrName, CancellationToken cancellationToken)
    {
        var id = Get(idOrName).Id;
        var entry = Entry(id);
        await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var c = Current(id);
            if (c.State.Paused)
            {
                throw BerthException.Conflict("cannot start a paused container, try unpause instead");
            }

            if (c.State.Running && !c.State.Restarting)
            {
                throw BerthException.NotModified("container is already running");
            }

            if (c.State.RemovalInProgress || c.State.Dead)
            {
                throw BerthException.Conflict("container is marked for removal and cannot be started");
            }

            CancelPendingRestart(entry);
            entry.Backoff = new RestartBackoff();
            if (c.HasBeenManuallyStopped)
            {
                c = Commit(c with { HasBeenManuallyStopped = false });
            }

            await StartLockedAsync(entry, c).ConfigureAwait(false);
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    /// <summary>Starts the container's process; on failure records the error and exit code as Docker does (and auto-removes).</summary>
    private async Task StartLockedAsync(ContainerEntry entry, Container c)
    {
        entry.ExitRequested = false;
        entry.LastStartRequested = _time.GetUtcNow();
        RuntimeStarted started;
        ContainerNetworkState? networkState = null;
        try
        {
            var rootfs = _images.GetRootfs(c.Id) ?? throw new BerthException(ErrorKind.Internal, $"the writable layer of container {c.Id} is missing");
            var ipc = _networking.ResolveNamespace(c.HostConfig.IpcMode, "ipc", c);
            var pid = _networking.ResolveNamespace(c.HostConfig.PidMode, "pid", c);
            if (!File.Exists(c.HostsPath) || !File.Exists(c.ResolvConfPath) || !File.Exists(c.HostnamePath))
            {
                ContainerFiles.Write(c, _options);
            }

            _volumes.PrepareVolumesForStart(c, rootfs);
            using var subpaths = VolumeSubpaths.Bind(c.Directory, c.Mounts, name => Volumes!.Mount(name)); // held until runc has mounted them
            string network;
            (network, networkState) = await _networking.AttachNetworkAsync(c).ConfigureAwait(false);
            var launch = LaunchBuilder.Build(c with { Mounts = [.. subpaths.Mounts] }, rootfs, _options, network, ipc, pid, _networking.LinkEnvironmentOf(c, networkState));
            // A previous run may have left the runtime's state behind; starting again needs it gone.
            await _runtime.DeleteAsync(c.Id, CancellationToken.None).ConfigureAwait(false);
            started = await _runtime.StartAsync(launch, CancellationToken.None).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            var message = e.Message;
            var exitCode = ExitCodeForStartError(message);
            var failed = await _networking.ReleaseNetworkAsync(Current(c.Id)).ConfigureAwait(false);
            failed = Commit(failed with { State = failed.State with { Running = false, Restarting = false, Paused = false, Pid = 0, Error = message, ExitCode = exitCode } });
            entry.RecordExit(exitCode);
            if (failed.HostConfig.AutoRemove)
            {
                Background(() => AutoRemoveAsync(entry, failed.Id));
            }

            if (e is BerthException be)
            {
                throw exitCode is 126 or 127 && be.Kind == ErrorKind.Internal ? BerthException.Invalid(message) : be;
            }

            throw exitCode is 126 or 127 ? BerthException.Invalid(message) : new BerthException(ErrorKind.Internal, message, e);
        }

        // The process runs from here on; until the record below is saved, a crash leaves a record
        // that says otherwise, which InitializeAsync reconciles with the live monitor.
        Berth.Platform.Processes.FaultInjection.KillPoint("container-start-before-record");
        var healthy = HealthRules.HasProbe(c.Config.Healthcheck);
        entry.RunGeneration++;
        var generation = entry.RunGeneration;
        var now = Current(c.Id);
        var running = now with
        {
            Network = networkState ?? now.Network,
            State = now.State with
            {
                Running = true,
                Paused = false,
                Restarting = false,
                OomKilled = false,
                Dead = false,
                Pid = started.Pid,
                ExitCode = 0,
                Error = string.Empty,
                StartedAt = started.StartedAt,
                Health = healthy ? new HealthState { Status = HealthState.Starting, Log = now.State.Health?.Log ?? [] } : now.State.Health,
            },
        };
        try
        {
            now = Commit(running);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // The process runs whatever the disk says: recording it as stopped (the failure path
            // above) would hide a live process. As dockerd does, the start stands, the truth is
            // kept in memory, the next save writes it, and a daemon restart before then finds the
            // live monitor (InitializeAsync).
            LogWarning(_logger, c.Id, "saving the record of a started container", e);
            now = Commit(running, persist: false);
        }

        Publish(now, "start");
        WatchExit(entry, now.Id, generation);
        if (healthy)
        {
            _health.StartHealthMonitor(entry, now);
        }
    }

    /// <summary>Docker's exit codes for a process that could not be started: 126 not executable, 127 not found, 128 otherwise.</summary>
    public static int ExitCodeForStartError(string message)
    {
        var m = message.ToLowerInvariant();
        if (m.Contains("permission denied", StringComparison.Ordinal) || m.Contains("is a directory", StringComparison.Ordinal))
        {
            return 126;
        }

        if (m.Contains("not a directory", StringComparison.Ordinal) || m.Contains("executable file not found", StringComparison.Ordinal) || m.Contains("no such file or directory", StringComparison.Ordinal))
        {
            return 127;
        }

        return 128;
    }

    private void WatchExit(ContainerEntry entry, string id, long generation)
    {
        Background(async () =>
        {
            RuntimeExit exit;
            try
            {
                exit = await _runtime.WaitAsync(id, _shutdown.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogWarning(_logger, id, "waiting for the exit", e);
                exit = new RuntimeExit(255, false, _time.GetUtcNow());
            }

            await HandleExitAsync(entry, id, generation, exit).ConfigureAwait(false);
        });
    }

    private async Task HandleExitAsync(ContainerEntry entry, string id, long generation, RuntimeExit exit)
    {
        if (_shutdown.IsCancellationRequested)
        {
            return;
        }

        Container c;
        bool restart;
        TimeSpan delay;
        await entry.Gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            var current = TryCurrent(id);
            if (current is null || entry.RunGeneration != generation || !current.State.Running || current.State.Restarting)
            {
                return;
            }

            await ContainerHealthChecks.StopHealthMonitorAsync(entry).ConfigureAwait(false);
            var startedAt = current.State.StartedAt ?? exit.ExitedAt;
            var duration = exit.ExitedAt - startedAt;
            (restart, delay) = entry.ExitRequested || entry.ManualRestart
                ? (false, TimeSpan.Zero)
                : entry.Backoff.Decide(current.HostConfig.RestartPolicy, current.RestartCount, exit.ExitCode, current.HasBeenManuallyStopped, duration);

            var state = current.State with
            {
                Running = restart,
                Restarting = restart,
                Paused = false,
                Pid = 0,
                ExitCode = exit.ExitCode,
                OomKilled = exit.OomKilled,
                FinishedAt = exit.ExitedAt,
            };
            c = current with { State = state, RestartCount = restart ? current.RestartCount + 1 : current.RestartCount };

            // Docker's order of events is die, then the network's disconnect: the exited state is
            // shown (inspect, ps) and "die" published before the network is released. Waiters
            // (stop, wait) are woken only by the commit after the release, so a client that
            // removes the network right after stop never meets a stale endpoint. The restart's
            // timer starts before anything shows the container restarting (it takes this lock
            // before it starts the container again).
            if (restart)
            {
                ScheduleRestart(entry, id, delay);
            }

            _store.Publish(c);
            if (exit.OomKilled)
            {
                Publish(c, "oom");
            }

            Publish(c, "die", new Dictionary<string, string>
            {
                ["exitCode"] = exit.ExitCode.ToString(CultureInfo.InvariantCulture),
                ["execDuration"] = ((long)Math.Max(0, duration.TotalSeconds)).ToString(CultureInfo.InvariantCulture),
            });
            // A --rm container's stopped record would be deleted a moment later (below): it is not
            // written. Whatever stops the removal, a restart removes every AutoRemove record it
            // finds, running or not (InitializeAsync), so the record on disk never needs the exit.
            var removing = !restart && c.HostConfig.AutoRemove && !entry.ManualRestart;
            c = Commit(await _networking.ReleaseNetworkAsync(c).ConfigureAwait(false), persist: !removing);
            entry.RecordExit(exit.ExitCode);
        }
        finally
        {
            entry.Gate.Release();
        }

        if (!restart && c.HostConfig.AutoRemove && !entry.ManualRestart)
        {
            await AutoRemoveAsync(entry, id).ConfigureAwait(false);
        }
    }

    private void ScheduleRestart(ContainerEntry entry, string id, TimeSpan delay)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(_shutdown.Token);
        entry.PendingRestart = cts;
        Background(async () =>
        {
            try
            {
                await Task.Delay(delay, _time, cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            await entry.Gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
            try
            {
                if (cts.IsCancellationRequested || TryCurrent(id) is not { State.Restarting: true } c)
                {
                    return;
                }

                entry.PendingRestart = null;
                try
                {
                    await StartLockedAsync(entry, c).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogWarning(_logger, id, "restarting", e);
                }
            }
            finally
            {
                entry.Gate.Release();
                cts.Dispose();
            }
        });
    }

    private static void CancelPendingRestart(ContainerEntry entry)
    {
        var pending = entry.PendingRestart;
        entry.PendingRestart = null;
        pending?.Cancel();
    }

    /// <summary>
    /// Sends the stop signal (StopSignal or SIGTERM, or <paramref name="signal"/>), waits
    /// <paramref name="timeoutSeconds"/> (container's StopTimeout, else the daemon default; negative waits
    /// forever), then SIGKILLs. NotModified when the container is not running.
    /// </summary>
    public async Task StopAsync(string idOrName, int? timeoutSeconds, string? signal, CancellationToken cancellationToken)
    {
        var c = Get(idOrName);
        if (!c.State.Running)
        {
            throw BerthException.NotModified("container is already stopped");
        }

        await StopCoreAsync(c.Id, timeoutSeconds, signal).ConfigureAwait(false);
        if (TryCurrent(c.Id) is { } after)
        {
            Publish(after, "stop");
        }
    }

    private async Task StopCoreAsync(string id, int? timeoutSeconds, string? signal)
    {
        var entry = Entry(id);
        var c = Current(id);
        var sig = !string.IsNullOrEmpty(signal) ? Signals.Parse(signal)
            : !string.IsNullOrEmpty(c.Config.StopSignal) ? Signals.Parse(c.Config.StopSignal)
            : Signals.SigTerm;
        var timeout = timeoutSeconds ?? c.Config.StopTimeout ?? _options.DefaultStopTimeout;

        var sent = await SignalAsync(entry, id, sig, exitRequested: true).ConfigureAwait(false);
        if (!sent)
        {
            return;
        }

        var wait = timeout < 0 ? Timeout.InfiniteTimeSpan : TimeSpan.FromSeconds(timeout);
        if (await WaitNotRunningAsync(entry, id, wait).ConfigureAwait(false))
        {
            return;
        }

        await SignalAsync(entry, id, Signals.SigKill, exitRequested: true).ConfigureAwait(false);
        await WaitNotRunningAsync(entry, id, KillGrace).ConfigureAwait(false);
    }

    /// <summary>
    /// Sends a signal (name or number; default SIGKILL, which also waits for the exit).
    /// Conflict "container x is not running" when it is not.
    /// </summary>
    public async Task KillAsync(string idOrName, string? signal, CancellationToken cancellationToken)
    {
        var sig = string.IsNullOrEmpty(signal) ? Signals.SigKill : Signals.Parse(signal);
        var c = Get(idOrName);
        if (!c.State.Running)
        {
            throw BerthException.Conflict($"container {c.Id} is not running");
        }

        var entry = Entry(c.Id);
        var stopSignal = string.IsNullOrEmpty(c.Config.StopSignal) ? Signals.SigTerm : Signals.Parse(c.Config.StopSignal);
        var exitRequested = sig == Signals.SigKill || sig == stopSignal;
        if (!await SignalAsync(entry, c.Id, sig, exitRequested).ConfigureAwait(false))
        {
            return;
        }

        if (sig == Signals.SigKill)
        {
            await WaitNotRunningAsync(entry, c.Id, KillGrace).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Marks the container as stopped by the user, cancels its restart policy when the signal ends
    /// it, publishes "kill" and signals the process (a paused container is thawed so that it can
    /// act on the signal). False when there was no process to signal (restarting: now stopped).
    /// </summary>
    private async Task<bool> SignalAsync(ContainerEntry entry, string id, int sig, bool exitRequested)
    {
        Container c;
        await entry.Gate.WaitAsync(CancellationToken.None).ConfigureAwait(false);
        try
        {
            c = Current(id);
            if (!c.State.Running)
            {
                return false;
            }

            if (exitRequested)
            {
                entry.ExitRequested = true;
            }

            if (!Core.DaemonStopping && !c.HasBeenManuallyStopped)
            {
                c = Commit(c with { HasBeenManuallyStopped = true });
            }

            if (c.State.Restarting)
            {
                // Nothing runs: cancelling the pending restart is the whole stop.
                CancelPendingRestart(entry);
                c = Commit(c with { State = c.State with { Running = false, Restarting = false } });
                entry.RecordExit(c.State.ExitCode);
                if (c.HostConfig.AutoRemove)
                {
                    Background(() => AutoRemoveAsync(entry, id));
                }

                return false;
            }

            Publish(c, "kill", new Dictionary<string, string> { ["signal"] = sig.ToString(CultureInfo.InvariantCulture) });
            try
            {
                await _runtime.KillAsync(id, sig, CancellationToken.None).ConfigureAwait(false);
            }
            catch (BerthException e) when (e.Kind is ErrorKind.NotFound or ErrorKind.Conflict)
            {
                // The process is already gone (the runtime saw the exit first); its exit is on its way
                // to HandleExitAsync, which the caller waits for. A stop that races a natural exit succeeds.
            }

            if (c.State.Paused && exitRequested)
            {
                await _runtime.ResumeAsync(id, CancellationToken.None).ConfigureAwait(false);
                c = Commit(c with { State = c.State with { Paused = false } });
            }
        }
        finally
        {
            entry.Gate.Release();
        }

        return true;
    }

    /// <summary>True when the container is no longer running within <paramref name="timeout"/>.</summary>
    private async Task<bool> WaitNotRunningAsync(ContainerEntry entry, string id, TimeSpan timeout)
    {
        using var cts = timeout == Timeout.InfiniteTimeSpan ? new CancellationTokenSource() : new CancellationTokenSource(timeout, _time);
        while (true)
        {
            var changed = entry.Changed;
            if (TryCurrent(id) is not { State.Running: true } c || (c.State.Restarting && entry.ExitRequested))
            {
                return true;
            }

            try
            {
                await changed.WaitAsync(cts.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return TryCurrent(id) is not { State.Running: true };
            }
        }
    }

    public async Task RestartAsync(string idOrName, int? timeoutSeconds, string? signal, CancellationToken cancellationToken)
    {
        var c = Get(idOrName);
        var entry = Entry(c.Id);
        entry.ManualRestart = true;
        try
        {
            if (c.State.Running)
            {
                await StopCoreAsync(c.Id, timeoutSeconds, signal).ConfigureAwait(false);
            }

            try
            {
                await StartAsync(c.Id, cancellationToken).ConfigureAwait(false);
            }
            catch (BerthException e) when (e.Kind == ErrorKind.NotModified)
            {
            }
        }
        finally
        {
            entry.ManualRestart = false;
        }

        Publish(Current(c.Id), "restart");
    }

    public async Task PauseAsync(string idOrName, CancellationToken cancellationToken)
    {
        var id = Get(idOrName).Id;
        var entry = Entry(id);
        await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var c = Current(id);
            if (!c.State.Running)
            {
                throw BerthException.Conflict($"container {c.Id} is not running");
            }

            if (c.State.Paused)
            {
                throw BerthException.Conflict($"container {c.Id} is already paused");
            }

            if (c.State.Restarting)
            {
                throw BerthException.Conflict($"Container {c.Id} is restarting, wait until the container is running");
            }

            await PauseLockedAsync(entry, c, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    public async Task UnpauseAsync(string idOrName, CancellationToken cancellationToken)
    {
        var id = Get(idOrName).Id;
        var entry = Entry(id);
        await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var c = Current(id);
            if (!c.State.Paused)
            {
                throw BerthException.Conflict($"Container {c.Id} is not paused");
            }

            await UnpauseLockedAsync(entry, c, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    /// <summary>
    /// docker commit: runs <paramref name="makeImage"/> (which snapshots the container's writable
    /// layer into an image) under the container's lock, so the container's own exit cannot change
    /// its state halfway: the exit is handled once the image is made. With <paramref name="pause"/>
    /// a running container is frozen meanwhile, as Docker does; pausing only applies while the
    /// process runs, so a process that is already gone (its exit not handled yet) is committed
    /// as it is, and a pause that fails is not an error (dockerd ignores it too). Publishes
    /// pause, commit and unpause in Docker's order.
    /// </summary>
    public async Task<string> CommitAsync(string idOrName, bool pause, string comment, Func<Container, CancellationToken, Task<string>> makeImage, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(makeImage);
        var id = Get(idOrName).Id;
        var entry = Entry(id);
        await entry.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var c = Current(id);
            if (c.State.Dead)
            {
                throw BerthException.Conflict($"You cannot commit container {c.Id} which is Dead");
            }

            if (c.State.RemovalInProgress)
            {
                throw BerthException.Conflict($"You cannot commit container {c.Id} which is being removed");
            }

            var paused = false;
            if (pause && c.State.Running && !c.State.Paused && !c.State.Restarting)
            {
                try
                {
                    c = await PauseLockedAsync(entry, c, cancellationToken).ConfigureAwait(false);
                    paused = true;
                }
                catch (BerthException e)
                {
                    LogWarning(_logger, id, "pausing for commit (committing without the pause)", e);
                }
            }

            try
            {
                var imageId = await makeImage(c, cancellationToken).ConfigureAwait(false);
                Publish(Current(id), "commit", new Dictionary<string, string>(StringComparer.Ordinal) { ["comment"] = comment, ["imageID"] = imageId });
                return imageId;
            }
            finally
            {
                if (paused && TryCurrent(id) is { State.Paused: true } stillPaused)
                {
                    try
                    {
                        await UnpauseLockedAsync(entry, stillPaused, CancellationToken.None).ConfigureAwait(false);
                    }
                    catch (BerthException e)
                    {
                        LogWarning(_logger, id, "unpausing after commit", e);
                    }
                }
            }
        }
        finally
        {
            entry.Gate.Release();
        }
    }

    private async Task<Container> PauseLockedAsync(ContainerEntry entry, Container c, CancellationToken cancellationToken)
    {
        await _runtime.PauseAsync(c.Id, cancellationToken).ConfigureAwait(false);
        await ContainerHealthChecks.StopHealthMonitorAsync(entry).ConfigureAwait(false);
        c = Commit(c with { State = c.State with { Paused = true } });
        Publish(c, "pause");
        return c;
    }

    private async Task UnpauseLockedAsync(ContainerEntry entry, Container c, CancellationToken cancellationToken)
    {
        await _runtime.ResumeAsync(c.Id, cancellationToken).ConfigureAwait(false);
        c = Commit(c with { State = c.State with { Paused = false } });
        Publish(c, "unpause");
        if (HealthRules.HasProbe(c.Config.Healthcheck))
        {
            _health.StartHealthMonitor(entry, c);
        }
    }
}
