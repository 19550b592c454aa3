using System.Globalization;

namespace Berth.Platform.Isolation;

/// <summary>
/// Keeps the kernel's cgroup migration lock warm while an OCI runtime starts a container.
/// Moving a process into a cgroup takes a global lock whose writer first waits for an RCU grace
/// period (~10 ms on this kind of host) unless another migration ended within the last one. A
/// thread here re-enters the cgroup it is already in (a migration that moves nothing) every
/// 2 ms, so when the runtime moves the container's init into its cgroups the wait is already
/// paid, overlapped with the runtime's own start-up. Stops when disposed, or after 5 s.
/// </summary>
public sealed class CgroupLockWarmer : IDisposable
{
    private static readonly TimeSpan Period = TimeSpan.FromMilliseconds(2);
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(5);
    private readonly ManualResetEventSlim _stop = new();
    private readonly Thread? _thread;

    private CgroupLockWarmer(string tasksFile)
    {
        _thread = new Thread(() => Loop(tasksFile), 64 * 1024) { IsBackground = true, Name = "cgroup-warm" };
        _thread.Start();
    }

    private CgroupLockWarmer()
    {
    }

    /// <summary>Starts warming when this process sits in a cgroup v1 hierarchy; otherwise does nothing.</summary>
    public static CgroupLockWarmer Start()
    {
        try
        {
            var own = CgroupTasks.ForProcess(Environment.ProcessId);
            return own is { ThreadTaskFiles.Count: > 0 } ? new CgroupLockWarmer(own.ThreadTaskFiles[0]) : new CgroupLockWarmer();
        }
        catch (IOException)
        {
            return new CgroupLockWarmer();
        }
    }

    public void Dispose()
    {
        _stop.Set();
        _thread?.Join();
        _stop.Dispose();
    }

    private void Loop(string tasksFile)
    {
        // Its own id, not "0": only a migration by id takes the lock this is about.
        var tid = Syscalls.Gettid().ToString(CultureInfo.InvariantCulture);
        var deadline = DateTime.UtcNow + Limit;
        try
        {
            do
            {
                File.WriteAllText(tasksFile, tid);
            }
            while (!_stop.Wait(Period) && DateTime.UtcNow < deadline);
        }
        catch (IOException)
        {
            // Not allowed here (a restricted host): the runtime simply pays the wait itself.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
