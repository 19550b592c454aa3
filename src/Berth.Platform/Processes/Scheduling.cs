using System.Globalization;
using Berth.Platform.Native;

namespace Berth.Platform.Processes;

/// <summary>
/// Scheduling policy for work done ahead of need: under SCHED_IDLE a process runs only on CPU time
/// nothing else wants, and is moved back to the normal policy once it is needed.
/// </summary>
public static unsafe class Scheduling
{
    /// <summary>Moves a process's main thread to SCHED_IDLE; the threads it starts inherit the policy. False if it is gone.</summary>
    public static bool MakeIdle(int pid)
    {
        var param = 0;
        return Libc.sched_setscheduler(pid, Libc.SCHED_IDLE, &param) == 0;
    }

    /// <summary>Moves one thread (or a process's main thread: tid = pid) back to the normal policy. False if it is gone.</summary>
    public static bool MakeNormal(int tid)
    {
        var param = 0;
        return Libc.sched_setscheduler(tid, Libc.SCHED_OTHER, &param) == 0;
    }

    /// <summary>
    /// Moves every thread of the calling process back to the normal policy: each thread the
    /// runtime started meanwhile inherited the idle one, and a change applies to one thread only.
    /// </summary>
    public static void MakeCurrentProcessNormal()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc/self/task"))
        {
            if (int.TryParse(Path.GetFileName(dir), NumberStyles.None, CultureInfo.InvariantCulture, out var tid))
            {
                _ = MakeNormal(tid);
            }
        }
    }
}
