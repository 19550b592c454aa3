using System.Globalization;

namespace Berth.Platform.Isolation;

/// <summary>
/// Keeps the kernel's cgroup migration lock warm while OCI runtimes start containers. Moving a
/// process into a cgroup takes a global lock whose writer first waits for an RCU grace period
/// (~10 ms on this kind of host) unless another migration ended within the last one. While
/// anyone holds a lease, one thread re-enters the cgroup it is already in (a migration that
/// moves nothing) every 2 ms, so when a runtime moves a container's init into its cgroups the
/// wait is already paid, overlapped with the runtime's own start-up. One thread serves every
/// concurrent start.
/// </summary>
public sealed class CgroupLockWarmer
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(2);
    private readonly object _lock = new();
    private readonly Lazy<string?> _tasksFile = new(FindOwnTasksFile);
    private int _holders;
    private bool _running;

    /// <summary>Warms until the returned lease is disposed (and no other lease is held).</summary>
    public IDisposable Hold()
    {
        if (_tasksFile.Value is not { } tasks)
        {
            return Lease.None;
        }

        lock (_lock)
        {
            _holders++;
            if (!_running)
            {
                _running = true;
                new Thread(() => Loop(tasks), 64 * 1024) { IsBackground = true, Name = "cgroup-warm" }.Start();
            }
        }

        return new Lease(this);
    }

    private void Release()
    {
        lock (_lock)
        {
            _holders--;
        }
    }

    private void Loop(string tasksFile)
    {
        // Its own id, not "0": only a migration by id takes the lock this is about.
        var tid = Syscalls.Gettid().ToString(CultureInfo.InvariantCulture);
        while (true)
        {
            try
            {
                File.WriteAllText(tasksFile, tid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Not allowed here (a restricted host): runtimes simply pay the wait themselves.
            }

            Thread.Sleep(Period);
            lock (_lock)
            {
                if (_holders == 0)
                {
                    _running = false;
                    return;
                }
            }
        }
    }

    /// <summary>The v1 tasks file of a hierarchy this process is in; null without cgroup v1.</summary>
    private static string? FindOwnTasksFile()
    {
        try
        {
            return CgroupTasks.ForProcess(Environment.ProcessId) is { ThreadTaskFiles.Count: > 0 } own ? own.ThreadTaskFiles[0] : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    private sealed class Lease(CgroupLockWarmer? owner) : IDisposable
    {
        public static readonly Lease None = new(null);
        private int _disposed;

        public void Dispose()
        {
            if (owner is not null && Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Release();
            }
        }
    }
}
