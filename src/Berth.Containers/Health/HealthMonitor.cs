namespace Berth.Containers.Health;

/// <summary>
/// The probe loop of one running container: wait the next delay, run one probe, repeat, until
/// cancelled (exit, pause, stop, removal, daemon shutdown). At most one per container.
/// </summary>
internal sealed class HealthMonitor : IAsyncDisposable
{
    private readonly CancellationTokenSource _cts = new();
    private Task _loop = Task.CompletedTask;

    public CancellationToken Token => _cts.Token;

    public bool IsStopped => _cts.IsCancellationRequested;

    public void Start(TimeProvider time, Func<TimeSpan> nextDelay, Func<CancellationToken, Task> probeOnce)
    {
        var ct = _cts.Token;
        _loop = Task.Run(async () =>
        {
            while (!ct.IsCancellationRequested)
            {
                try
                {
                    await Task.Delay(nextDelay(), time, ct).ConfigureAwait(false);
                    await probeOnce(ct).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    return;
                }
            }
        }, CancellationToken.None);
    }

    /// <summary>Stops the loop without waiting (callers may hold the container's lock that a probe needs).</summary>
    public void Stop() => _cts.Cancel();

    public async ValueTask DisposeAsync()
    {
        await _cts.CancelAsync().ConfigureAwait(false);
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        _cts.Dispose();
    }
}
