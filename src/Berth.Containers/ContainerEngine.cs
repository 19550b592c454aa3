using Berth.Core.Events;
using Berth.Networking;
using Berth.Runtime;
using Berth.Volumes;
using Microsoft.Extensions.Logging;

namespace Berth.Containers;

/// <summary>
/// The container engine, wired: one <see cref="ContainerCore"/> (records and their snapshot, one
/// lock per container, runtime, images, events, background work) shared by owners that each
/// keep their own state. <see cref="Lifecycle"/> is the state machine (start, stop, kill,
/// restart, pause, commit, remove, the exit watcher, the restart manager, live restore);
/// <see cref="Exec"/> owns the exec instances, <see cref="Archive"/> the cp and export views,
/// <see cref="Streams"/> logs and attach, <see cref="Queries"/> the read side; health checks,
/// networks and volumes are owners the others are given. The daemon registers each route
/// group's interface from here, and nothing else of the engine is public.
/// </summary>
public sealed class ContainerEngine : IAsyncDisposable
{
    private readonly ContainerCore _core;
    private readonly ContainerExecs _execs;
    private readonly ContainerLifecycle _lifecycle;
    private int _disposed;

    public ContainerEngine(
        ContainerServiceOptions options,
        IContainerRuntime runtime,
        IContainerImages images,
        EventBus events,
        TimeProvider time,
        ILogger<ContainerEngine> logger,
        VolumeService? volumes = null,
        NetworkService? networks = null)
    {
        _core = new ContainerCore(options, runtime, images, events, time, logger, volumes, networks);
        var health = new ContainerHealthChecks(_core);
        var networking = new ContainerNetworking(_core);
        var containerVolumes = new ContainerVolumes(_core);
        var archives = new ContainerArchives(_core);
        _execs = new ContainerExecs(_core, networking);
        _lifecycle = new ContainerLifecycle(_core, health, _execs, networking, containerVolumes, archives);
        Creator = new ContainerCreation(_core, networking, containerVolumes);
        Archive = archives;
        Streams = new ContainerStreams(_core);
        Queries = new ContainerQueries(_core, _execs);
        NetworkConnector = new ContainerNetworkConnector(networking);
    }

    public ContainerServiceOptions Options => _core.Options;

    public IContainerLifecycle Lifecycle => _lifecycle;

    public IContainerCommit Commits => _lifecycle;

    public IContainerCreator Creator { get; }

    public IContainerExec Exec => _execs;

    public IContainerArchive Archive { get; }

    public IContainerStreams Streams { get; }

    public IContainerQueries Queries { get; }

    /// <summary>POST /networks/{id}/connect and /disconnect, carried out here so that the container's record follows.</summary>
    public IContainerNetworkConnector NetworkConnector { get; }

    /// <summary>Number of exec instances held (ended ones are collected on dockerd's schedule).</summary>
    internal int ExecInstanceCount => _execs.ExecInstanceCount;

    /// <summary>
    /// Daemon start: loads the records, removes half-created containers, re-attaches to containers
    /// whose monitor survived (live restore), marks the others stopped, then applies restart policies and --rm.
    /// </summary>
    public Task InitializeAsync(CancellationToken cancellationToken) => _lifecycle.InitializeAsync(cancellationToken);

    /// <summary>Daemon shutdown: without live restore containers are stopped first; then as <see cref="DisposeAsync"/>.</summary>
    public async Task ShutdownAsync()
    {
        await _lifecycle.StopAtShutdownAsync().ConfigureAwait(false);
        await DisposeAsync().ConfigureAwait(false);
    }

    /// <summary>Daemon shutdown: stop watching (containers keep running: live restore), stop health checks and pending restarts.</summary>
    public async ValueTask DisposeAsync()
    {
        // Called by the daemon's shutdown and again by the service container: once is enough.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _core.Shutdown.CancelAsync().ConfigureAwait(false);
        foreach (var e in _core.Entries)
        {
            e.PendingRestart?.Cancel();
            if (e.Health is { } h)
            {
                await h.DisposeAsync().ConfigureAwait(false);
            }
        }

        await _core.DrainBackgroundAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        _execs.StopCollector();
        _core.Shutdown.Dispose();
    }
}
