using Berth.Platform.Native;

namespace Berth.Platform.Processes;

/// <summary>Process-wide knobs a monitor needs.</summary>
public static unsafe class Subreaper
{
    /// <summary>Orphaned descendants (the container's init once runc exits) are reparented to this process.</summary>
    public static void Become()
    {
        if (Libc.prctl(Libc.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
        {
            throw ErrnoException.Last("prctl(PR_SET_CHILD_SUBREAPER)");
        }
    }

    /// <summary>Blocks until any child exits; returns (pid, wait status) or (-1, 0) when there are no children.</summary>
    public static (int Pid, int Status) WaitAny()
    {
        while (true)
        {
            int status;
            var pid = Libc.waitpid(-1, &status, 0);
            if (pid > 0)
            {
                return (pid, status);
            }

            var errno = Libc.LastErrno;
            if (errno == Libc.EINTR)
            {
                continue;
            }

            return (-1, 0);
        }
    }

    /// <summary>True when a process with this pid exists (it may be a zombie).</summary>
    public static bool IsAlive(int pid) => pid > 0 && (Libc.kill(pid, 0) == 0 || Libc.LastErrno != Libc.ESRCH);

    public static bool SendSignal(int pid, int signal) => Libc.kill(pid, signal) == 0;
}
