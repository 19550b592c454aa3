using Berth.Containers.Health;
using Berth.Containers.Restart;

namespace Berth.Containers;

/// <summary>
/// The live, in-memory side of one container: its lock (the service serialises lifecycle changes
/// per container), restart back-off and pending restart, health monitor, run generation (so a
/// stale exit watcher never touches a newer run) and a change signal for waiters.
/// </summary>
internal sealed class ContainerEntry
{
    private readonly Lock _signalLock = new();
    private TaskCompletionSource _changed = NewSignal();
    private int _activeStreams;
    private TaskCompletionSource? _streamsDrained;

    public ContainerEntry(string id)
    {
        Id = id;
    }

    public string Id { get; }

    public SemaphoreSlim Gate { get; } = new(1, 1);

    public RestartBackoff Backoff { get; set; } = new();

    /// <summary>Cancels a pending restart (stop, kill, rm, daemon shutdown).</summary>
    public CancellationTokenSource? PendingRestart { get; set; }

    public HealthMonitor? Health { get; set; }

    /// <summary>Incremented at each start; an exit is handled only for the run it belongs to.</summary>
    public long RunGeneration { get; set; }

    /// <summary>Incremented at each handled exit (and failed start): next-exit waiters compare it.</summary>
    public long ExitGeneration { get; private set; }

    public int LastExitCode { get; private set; }

    public bool Removed { get; private set; }

    /// <summary>A stop or kill asked the container to exit: its restart policy does not apply to that exit.</summary>
    public bool ExitRequested { get; set; }

    /// <summary>A docker restart is in progress: the exit it causes neither auto-removes nor triggers the restart policy.</summary>
    public bool ManualRestart { get; set; }

    /// <summary>Time just before the last start request: attach streams read logs from here.</summary>
    public DateTimeOffset LastStartRequested { get; set; }

    /// <summary>Completes at the next change of this container; take it before reading the state.</summary>
    public Task Changed
    {
        get
        {
            lock (_signalLock)
            {
                return _changed.Task;
            }
        }
    }

    public void NotifyChanged()
    {
        TaskCompletionSource old;
        lock (_signalLock)
        {
            old = _changed;
            _changed = NewSignal();
        }

        old.TrySetResult();
    }

    public void RecordExit(int exitCode)
    {
        lock (_signalLock)
        {
            LastExitCode = exitCode;
            ExitGeneration++;
        }

        NotifyChanged();
    }

    public void MarkRemoved(int lastExitCode)
    {
        lock (_signalLock)
        {
            LastExitCode = lastExitCode;
            Removed = true;
        }

        NotifyChanged();
    }

    /// <summary>Counts an attach/log stream that must finish before an auto-remove deletes the log.</summary>
    public IDisposable TrackStream()
    {
        lock (_signalLock)
        {
            _activeStreams++;
        }

        return new StreamToken(this);
    }

    /// <summary>Waits until no attach stream is active (bounded by <paramref name="timeout"/>).</summary>
    public async Task WaitStreamsAsync(TimeSpan timeout, TimeProvider time)
    {
        Task wait;
        lock (_signalLock)
        {
            if (_activeStreams == 0)
            {
                return;
            }

            _streamsDrained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            wait = _streamsDrained.Task;
        }

        await Task.WhenAny(wait, Task.Delay(timeout, time)).ConfigureAwait(false);
    }

    private void EndStream()
    {
        TaskCompletionSource? done = null;
        lock (_signalLock)
        {
            _activeStreams--;
            if (_activeStreams == 0)
            {
                done = _streamsDrained;
                _streamsDrained = null;
            }
        }

        done?.TrySetResult();
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);

    private sealed class StreamToken(ContainerEntry entry) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                entry.EndStream();
            }
        }
    }
}
