using Berth.Platform.Native;

namespace Berth.Platform.Processes;

/// <summary>
/// Signals a process through a pidfd: once the pidfd is open it names that process even if the
/// pid is reused later, so a kill never hits an unrelated process.
/// </summary>
public static unsafe class PidFd
{
    /// <summary>
    /// Waits up to <paramref name="timeout"/> for a child that has not been reaped yet to exit
    /// (its pid cannot be reused before that). True when it exited.
    /// </summary>
    public static bool WaitForExit(int pid, TimeSpan timeout)
    {
        var fd = (int)Libc.syscall(Libc.SYS_pidfd_open, pid, 0, 0, 0);
        if (fd < 0)
        {
            return true;
        }

        try
        {
            var poll = new Libc.PollFd { Fd = fd, Events = Libc.POLLIN };
            int rc;
            do
            {
                rc = Libc.poll(&poll, 1, (int)timeout.TotalMilliseconds);
            }
            while (rc < 0 && Libc.LastErrno == Libc.EINTR);
            return rc > 0;
        }
        finally
        {
            _ = Libc.close(fd);
        }
    }

    private const long SysPidfdSendSignal = 424;

    /// <summary>
    /// Opens a pidfd, lets <paramref name="stillOurs"/> confirm the pid still names the intended
    /// process (checked after the pidfd pins it), then sends the signal. False when the process is gone.
    /// </summary>
    public static bool Signal(int pid, int signal, Func<bool> stillOurs)
    {
        ArgumentNullException.ThrowIfNull(stillOurs);
        var fd = (int)Libc.syscall(Libc.SYS_pidfd_open, pid, 0, 0, 0);
        if (fd < 0)
        {
            var errno = Libc.LastErrno;
            if (errno == Libc.ESRCH)
            {
                return false;
            }

            if (errno == Libc.ENOSYS)
            {
                return stillOurs() && Libc.kill(pid, signal) == 0;
            }

            throw new ErrnoException("pidfd_open", errno);
        }

        try
        {
            if (!stillOurs())
            {
                return false;
            }

            if (Libc.syscall(SysPidfdSendSignal, fd, signal, 0, 0) == 0)
            {
                return true;
            }

            var errno = Libc.LastErrno;
            if (errno == Libc.ESRCH)
            {
                return false;
            }

            throw new ErrnoException("pidfd_send_signal", errno);
        }
        finally
        {
            _ = Libc.close(fd);
        }
    }
}
