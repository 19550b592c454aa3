using System.Runtime;

namespace Berth.Daemon.Http;

/// <summary>
/// Gives memory back to the system when the API goes quiet. Work such as an image load or a
/// burst of container starts grows the managed heap; without a later collection that memory
/// stays committed while the daemon idles. Once a second passes with no request starting or
/// ending, one aggressive, compacting collection returns it (a few milliseconds on an idle
/// heap, once per quiet period).
/// </summary>
public sealed class IdleMemoryTrimmer : BackgroundService
{
    private static readonly TimeSpan Quiet = TimeSpan.FromSeconds(1);
    private readonly TimeProvider _time;
    private long _lastActivity;
    private long _lastTrim;

    public IdleMemoryTrimmer(TimeProvider time)
    {
        _time = time;
        _lastActivity = time.GetTimestamp();
        _lastTrim = 0; // so the start-up work is trimmed too, once it goes quiet
    }

    /// <summary>Marks API activity; called at the start and end of every request.</summary>
    public void Touch() => Interlocked.Exchange(ref _lastActivity, _time.GetTimestamp());

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Quiet / 2, _time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
            {
                var last = Interlocked.Read(ref _lastActivity);
                if (last > _lastTrim && _time.GetElapsedTime(last) >= Quiet)
                {
                    _lastTrim = _time.GetTimestamp();
                    GCSettings.LargeObjectHeapCompactionMode = GCLargeObjectHeapCompactionMode.CompactOnce;
                    GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}

/// <summary>Reports every request to the <see cref="IdleMemoryTrimmer"/>.</summary>
public sealed class ActivityMiddleware(RequestDelegate next, IdleMemoryTrimmer trimmer)
{
    public async Task InvokeAsync(HttpContext context)
    {
        trimmer.Touch();
        try
        {
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            trimmer.Touch();
        }
    }
}
