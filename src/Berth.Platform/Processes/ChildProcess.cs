using Berth.Platform.Native;

namespace Berth.Platform.Processes;

/// <summary>A child started by <see cref="Spawn"/>: signal it, wait for it, reap it.</summary>
public sealed unsafe class ChildProcess
{
    private readonly object _gate = new();
    private int? _status;

    public ChildProcess(int pid)
    {
        Pid = pid;
    }

    public int Pid { get; }

    /// <summary>Exit code in shell convention (128+N when killed by signal N), once reaped.</summary>
    public int? ExitCode => _status is { } s ? WaitStatus.ToExitCode(s) : null;

    public void Signal(int signal)
    {
        lock (_gate)
        {
            if (_status is null)
            {
                _ = Libc.kill(Pid, signal);
            }
        }
    }

    /// <summary>Reaps the child if it has exited; never blocks.</summary>
    public bool TryReap()
    {
        lock (_gate)
        {
            if (_status is not null)
            {
                return true;
            }

            int status;
            var rc = Libc.waitpid(Pid, &status, Libc.WNOHANG);
            if (rc == Pid)
            {
                _status = status;
                return true;
            }

            if (rc < 0 && Libc.LastErrno == Libc.ECHILD)
            {
                _status = 255 << 8;
                return true;
            }

            return false;
        }
    }

    /// <summary>Blocks the calling thread until the child exits; returns its exit code.</summary>
    public int Wait()
    {
        while (true)
        {
            if (_status is { } done)
            {
                return WaitStatus.ToExitCode(done);
            }

            int status;
            var rc = Libc.waitpid(Pid, &status, 0);
            if (rc == Pid)
            {
                lock (_gate)
                {
                    _status = status;
                }

                continue;
            }

            if (rc < 0 && Libc.LastErrno == Libc.EINTR)
            {
                continue;
            }

            lock (_gate)
            {
                _status ??= 255 << 8;
            }
        }
    }

    /// <summary>Blocks a pool thread in waitpid until the child exits; returns its exit code.</summary>
    public Task<int> WaitAsync(CancellationToken cancellationToken = default)
    {
        if (_status is { } s)
        {
            return Task.FromResult(WaitStatus.ToExitCode(s));
        }

        return Task.Factory.StartNew(
            () =>
            {
                while (true)
                {
                    int status;
                    var rc = Libc.waitpid(Pid, &status, 0);
                    if (rc == Pid)
                    {
                        lock (_gate)
                        {
                            _status = status;
                        }

                        return WaitStatus.ToExitCode(status);
                    }

                    var errno = Libc.LastErrno;
                    if (rc < 0 && errno == Libc.EINTR)
                    {
                        continue;
                    }

                    lock (_gate)
                    {
                        if (_status is { } done)
                        {
                            return WaitStatus.ToExitCode(done);
                        }

                        _status = 255 << 8;
                        return 255;
                    }
                }
            },
            cancellationToken,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
    }
}
