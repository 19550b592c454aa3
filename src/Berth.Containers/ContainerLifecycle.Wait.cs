namespace Berth.Containers;

internal sealed partial class ContainerLifecycle
{
    /// <summary>
    /// Registers a wait now (the condition is measured from this call, so a client that waits
    /// before starting a container cannot miss its exit) and returns the task that completes
    /// with the exit code. As in Docker, not-running and next-exit both end at the next exit of
    /// a running container even when its restart policy starts it again (it stays "running"
    /// while restarting, so waiting for a stopped state would never end).
    /// </summary>
    public Task<WaitResult> WaitAsync(string idOrName, WaitCondition condition, CancellationToken cancellationToken)
    {
        var c = Get(idOrName);
        var entry = Entry(c.Id);
        var generation = entry.ExitGeneration;
        return WaitCoreAsync(entry, c.Id, condition, generation, cancellationToken);
    }

    private async Task<WaitResult> WaitCoreAsync(ContainerEntry entry, string id, WaitCondition condition, long generation, CancellationToken ct)
    {
        while (true)
        {
            var changed = entry.Changed;
            var current = TryCurrent(id);
            switch (condition)
            {
                case WaitCondition.NotRunning when current is null || entry.Removed:
                    return new WaitResult(entry.LastExitCode);
                case WaitCondition.NotRunning when entry.ExitGeneration > generation:
                    return new WaitResult(entry.LastExitCode);
                case WaitCondition.NotRunning when !current.State.Running:
                    return new WaitResult(current.State.ExitCode);
                case WaitCondition.NextExit when entry.ExitGeneration > generation || entry.Removed || current is null:
                    return new WaitResult(entry.LastExitCode);
                case WaitCondition.Removed when entry.Removed || current is null:
                    return new WaitResult(entry.LastExitCode);
            }

            await changed.WaitAsync(ct).ConfigureAwait(false);
        }
    }
}
