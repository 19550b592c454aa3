using System.Collections.Concurrent;
using Berth.Containers.Exec;
using Berth.Containers.Model;
using Berth.Containers.Store;
using Berth.Core.Errors;
using Berth.Core.Events;
using Berth.Runtime;
using Microsoft.Extensions.Logging;

namespace Berth.Containers;

/// <summary>
/// The container engine: create, the lifecycle state machine (start, stop, kill, pause, restart,
/// remove), the restart manager, health checks, exec, logs, attach and live restore. Lifecycle
/// changes of one container are serialised by that container's lock; every change is persisted
/// and then published in the <see cref="ContainerStore"/> snapshot that list and inspect read.
/// The OS is behind <see cref="IContainerRuntime"/> and images behind <see cref="IContainerImages"/>.
/// </summary>
public sealed partial class ContainerService : IContainerLifecycle, IContainerCreator, IContainerExec, IContainerArchive, IContainerCommit, IContainerStreams, IContainerQueries, IAsyncDisposable
{
    private readonly ContainerStore _store;
    private readonly IContainerRuntime _runtime;
    private readonly IContainerImages _images;
    private readonly EventBus _events;
    private readonly TimeProvider _time;
    private readonly ContainerServiceOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, ContainerEntry> _entries = new(StringComparer.Ordinal);
    private readonly ExecStore _execs = new();
    private readonly PeriodicTimer _execCollector;
    private readonly CancellationTokenSource _shutdown = new();
    private int _disposed;
    private readonly ConcurrentDictionary<Task, byte> _background = new();
    private volatile bool _daemonStopping;

    public ContainerService(
        ContainerServiceOptions options,
        IContainerRuntime runtime,
        IContainerImages images,
        EventBus events,
        TimeProvider time,
        ILogger<ContainerService> logger)
    {
        _options = options;
        _runtime = runtime;
        _images = images;
        _events = events;
        _time = time;
        _logger = logger;
        _store = new ContainerStore(options.ContainersRoot);
        // Created here, not in the loop: its schedule starts with the service.
        _execCollector = new PeriodicTimer(options.ExecCollectInterval, time);
        Background(CollectExecsAsync);
    }

    public ContainerServiceOptions Options => _options;

    /// <summary>The current read model: every container, immutable.</summary>
    public ContainerSnapshot Snapshot => _store.Snapshot;

    /// <summary>Finds a container by full ID, name or unique ID prefix; NotFound "No such container: x".</summary>
    public Container Get(string idOrName) => _store.Snapshot.Get(idOrName);

    public bool IsShuttingDown => _shutdown.IsCancellationRequested;

    internal ContainerEntry Entry(string id) => _entries.GetOrAdd(id, static i => new ContainerEntry(i));

    /// <summary>Writes a changed container (durably unless <paramref name="persist"/> is false) and wakes its waiters.</summary>
    private Container Commit(Container updated, bool persist = true)
    {
        if (persist)
        {
            _store.Save(updated);
        }
        else
        {
            _store.Publish(updated);
        }

        if (_entries.TryGetValue(updated.Id, out var e))
        {
            e.NotifyChanged();
        }

        return updated;
    }

    /// <summary>The latest record of a container known to exist (call under its lock).</summary>
    private Container Current(string id) =>
        _store.Snapshot.ById.TryGetValue(id, out var c) ? c : throw BerthException.NotFound($"No such container: {id}");

    private Container? TryCurrent(string id) => _store.Snapshot.ById.GetValueOrDefault(id);

    private void Publish(Container c, string action, IReadOnlyDictionary<string, string>? extra = null)
    {
        var attrs = new Dictionary<string, string>(c.Config.Labels, StringComparer.Ordinal)
        {
            ["image"] = c.Config.Image,
            ["name"] = c.Name,
        };
        if (extra is not null)
        {
            foreach (var (k, v) in extra)
            {
                attrs[k] = v;
            }
        }

        _events.Publish("container", action, c.Id, attrs);
    }

    /// <summary>Runs work that outlives the request that caused it (exit watchers, restarts, auto-remove).</summary>
    private void Background(Func<Task> work)
    {
        var t = Task.Run(async () =>
        {
            try
            {
                await work().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_shutdown.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                LogBackgroundFailure(_logger, e);
            }
        });
        _background.TryAdd(t, 0);
        t.ContinueWith(done => _background.TryRemove(done, out _), TaskScheduler.Default);
    }

    /// <summary>Daemon shutdown: stop watching (containers keep running: live restore), stop health checks and pending restarts.</summary>
    public async ValueTask DisposeAsync()
    {
        // Called by the daemon's shutdown and again by the service container: once is enough.
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _shutdown.CancelAsync().ConfigureAwait(false);
        foreach (var e in _entries.Values)
        {
            e.PendingRestart?.Cancel();
            if (e.Health is { } h)
            {
                await h.DisposeAsync().ConfigureAwait(false);
            }
        }

        try
        {
            await Task.WhenAll(_background.Keys).WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
        catch (OperationCanceledException)
        {
        }

        _execCollector.Dispose();
        _shutdown.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "container background task failed")]
    private static partial void LogBackgroundFailure(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "container {Id}: {What} failed")]
    private static partial void LogWarning(ILogger logger, string id, string what, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "container {Id}: {What}")]
    private static partial void LogInfo(ILogger logger, string id, string what);

    [LoggerMessage(Level = LogLevel.Debug, Message = "clean {Count} unused exec commands")]
    private static partial void LogExecsCollected(ILogger logger, int count);
}
