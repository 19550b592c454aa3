using System.Collections.Concurrent;
using Berth.Containers.Model;
using Berth.Containers.Store;
using Berth.Core.Errors;
using Berth.Core.Events;
using Berth.Networking;
using Berth.Runtime;
using Berth.Volumes;
using Microsoft.Extensions.Logging;

namespace Berth.Containers;

/// <summary>
/// What every container owner shares, and nothing else: the records (<see cref="ContainerStore"/>
/// and the snapshot that list and inspect read), the live entries (one lock per container, run
/// and exit generations, the change signal waiters take), the runtime, images, events and clock,
/// and the background work that outlives a request. A change is persisted, then published in the
/// snapshot, then its waiters are woken (<see cref="Commit"/>).
/// </summary>
internal sealed partial class ContainerCore
{
    private readonly ConcurrentDictionary<string, ContainerEntry> _entries = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<Task, byte> _background = new();
    private volatile bool _daemonStopping;

    public ContainerCore(
        ContainerServiceOptions options,
        IContainerRuntime runtime,
        IContainerImages images,
        EventBus events,
        TimeProvider time,
        ILogger logger,
        VolumeService? volumes,
        NetworkService? networks)
    {
        Options = options;
        Runtime = runtime;
        Images = images;
        Events = events;
        Time = time;
        Logger = logger;
        Volumes = volumes;
        Networks = networks;
        Store = new ContainerStore(options.ContainersRoot);
    }

    public ContainerServiceOptions Options { get; }

    public ContainerStore Store { get; }

    public IContainerRuntime Runtime { get; }

    public IContainerImages Images { get; }

    public EventBus Events { get; }

    public TimeProvider Time { get; }

    public ILogger Logger { get; }

    /// <summary>The volume service; null (component tests) refuses volume mounts with NotImplemented.</summary>
    public VolumeService? Volumes { get; }

    /// <summary>
    /// The networking service. Null only in component tests without a kernel network: then the
    /// default bridge becomes an isolated namespace with loopback only and user networks do not exist.
    /// </summary>
    public NetworkService? Networks { get; }

    /// <summary>Cancelled at daemon shutdown: exit watchers, pending restarts and background work stop.</summary>
    public CancellationTokenSource Shutdown { get; } = new();

    /// <summary>The daemon stops containers at shutdown (no live restore): those stops are not the user's.</summary>
    public bool DaemonStopping
    {
        get => _daemonStopping;
        set => _daemonStopping = value;
    }

    public IEnumerable<ContainerEntry> Entries => _entries.Values;

    public ContainerEntry Entry(string id) => _entries.GetOrAdd(id, static i => new ContainerEntry(i));

    /// <summary>Forgets a removed container's entry (its waiters hold their own reference).</summary>
    public void ForgetEntry(string id) => _entries.TryRemove(id, out _);

    /// <summary>Finds a container by full ID, name or unique ID prefix; NotFound "No such container: x".</summary>
    public Container Get(string idOrName) => Store.Snapshot.Get(idOrName);

    /// <summary>Writes a changed container (durably unless <paramref name="persist"/> is false) and wakes its waiters.</summary>
    public Container Commit(Container updated, bool persist = true)
    {
        if (persist)
        {
            Store.Save(updated);
        }
        else
        {
            Store.Publish(updated);
        }

        if (_entries.TryGetValue(updated.Id, out var e))
        {
            e.NotifyChanged();
        }

        return updated;
    }

    /// <summary>The latest record of a container known to exist (call under its lock).</summary>
    public Container Current(string id) =>
        Store.Snapshot.ById.TryGetValue(id, out var c) ? c : throw BerthException.NotFound($"No such container: {id}");

    public Container? TryCurrent(string id) => Store.Snapshot.ById.GetValueOrDefault(id);

    public void Publish(Container c, string action, IReadOnlyDictionary<string, string>? extra = null)
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

        Events.Publish("container", action, c.Id, attrs);
    }

    /// <summary>Runs work that outlives the request that caused it (exit watchers, restarts, auto-remove).</summary>
    public void Background(Func<Task> work)
    {
        var t = Task.Run(async () =>
        {
            try
            {
                await work().ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (Shutdown.IsCancellationRequested)
            {
            }
            catch (Exception e)
            {
                LogBackgroundFailure(Logger, e);
            }
        });
        _background.TryAdd(t, 0);
        t.ContinueWith(done => _background.TryRemove(done, out _), TaskScheduler.Default);
    }

    /// <summary>Waits (at most <paramref name="timeout"/>) for the background work once shutdown has cancelled it.</summary>
    public async Task DrainBackgroundAsync(TimeSpan timeout)
    {
        try
        {
            await Task.WhenAll(_background.Keys).WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
        catch (OperationCanceledException)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "container background task failed")]
    private static partial void LogBackgroundFailure(ILogger logger, Exception exception);
}
