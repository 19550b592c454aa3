namespace Berth.Daemon.Http;

/// <summary>Set when the client of a hijacked connection has sent its FIN (no more input; it still reads).</summary>
public sealed class HalfClose
{
    private readonly TaskCompletionSource _signal = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task Closed => _signal.Task;

    public void Signal() => _signal.TrySetResult();
}
