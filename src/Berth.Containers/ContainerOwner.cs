using Berth.Containers.Model;
using Berth.Containers.Store;
using Berth.Core.Events;
using Berth.Networking;
using Berth.Runtime;
using Berth.Volumes;
using Microsoft.Extensions.Logging;

namespace Berth.Containers;

/// <summary>
/// The base of each container owner (lifecycle, create, exec, archive, streams, queries, health,
/// networking, volumes): gives it the shared <see cref="ContainerCore"/> under the names the
/// engine's code uses, and nothing of the other owners. An owner that needs another gets it in
/// its constructor.
/// </summary>
internal abstract partial class ContainerOwner : IContainerLookup
{
    private protected readonly ContainerStore _store;
    private protected readonly IContainerRuntime _runtime;
    private protected readonly IContainerImages _images;
    private protected readonly EventBus _events;
    private protected readonly TimeProvider _time;
    private protected readonly ContainerServiceOptions _options;
    private protected readonly ILogger _logger;
    private protected readonly CancellationTokenSource _shutdown;

    private protected ContainerOwner(ContainerCore core)
    {
        Core = core;
        _store = core.Store;
        _runtime = core.Runtime;
        _images = core.Images;
        _events = core.Events;
        _time = core.Time;
        _options = core.Options;
        _logger = core.Logger;
        _shutdown = core.Shutdown;
    }

    private protected ContainerCore Core { get; }

    /// <summary>The volume service; null (component tests) refuses volume mounts with NotImplemented.</summary>
    private protected VolumeService? Volumes => Core.Volumes;

    private protected NetworkService? Networks => Core.Networks;

    /// <summary>Finds a container by full ID, name or unique ID prefix; NotFound "No such container: x".</summary>
    public Container Get(string idOrName) => Core.Get(idOrName);

    private protected ContainerEntry Entry(string id) => Core.Entry(id);

    /// <summary>Writes a changed container (durably unless <paramref name="persist"/> is false) and wakes its waiters.</summary>
    private protected Container Commit(Container updated, bool persist = true) => Core.Commit(updated, persist);

    /// <summary>The latest record of a container known to exist (call under its lock).</summary>
    private protected Container Current(string id) => Core.Current(id);

    private protected Container? TryCurrent(string id) => Core.TryCurrent(id);

    private protected void Publish(Container c, string action, IReadOnlyDictionary<string, string>? extra = null) => Core.Publish(c, action, extra);

    /// <summary>Runs work that outlives the request that caused it (exit watchers, restarts, auto-remove).</summary>
    private protected void Background(Func<Task> work) => Core.Background(work);

    [LoggerMessage(Level = LogLevel.Warning, Message = "container {Id}: {What} failed")]
    private protected static partial void LogWarning(ILogger logger, string id, string what, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "container {Id}: {What}")]
    private protected static partial void LogInfo(ILogger logger, string id, string what);
}
