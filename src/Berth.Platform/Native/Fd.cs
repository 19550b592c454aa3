namespace Berth.Platform.Native;

/// <summary>Thin helpers over raw file descriptors (pipes, ptys, sockets handed between processes).</summary>
public static unsafe class Fd
{
    /// <summary>Creates a pipe; both ends close-on-exec (a spawn maps the ends it passes explicitly).</summary>
    public static (int Read, int Write) Pipe()
    {
        int* fds = stackalloc int[2];
        if (Libc.pipe2(fds, Libc.O_CLOEXEC) != 0)
        {
            throw ErrnoException.Last("pipe2");
        }

        return (fds[0], fds[1]);
    }

    /// <summary>Best effort: larger pipes mean fewer wakeups when a container logs a lot.</summary>
    public static void TrySetPipeSize(int fd, int bytes) => _ = Libc.fcntl(fd, Libc.F_SETPIPE_SZ, bytes);

    public static void Close(int fd)
    {
        if (fd >= 0)
        {
            _ = Libc.close(fd);
        }
    }

    /// <summary>Reads up to buffer.Length bytes; 0 at EOF; retries EINTR. EIO (pty hung up) is EOF too.</summary>
    public static int Read(int fd, Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            while (true)
            {
                var n = Libc.read(fd, p, buffer.Length);
                if (n >= 0)
                {
                    return (int)n;
                }

                var errno = Libc.LastErrno;
                if (errno == Libc.EINTR)
                {
                    continue;
                }

                if (errno == Libc.EIO)
                {
                    return 0;
                }

                throw new ErrnoException("read", errno);
            }
        }
    }

    /// <summary>Writes all bytes; retries EINTR and short writes.</summary>
    public static void WriteAll(int fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            var done = 0;
            while (done < data.Length)
            {
                var n = Libc.write(fd, p + done, data.Length - done);
                if (n < 0)
                {
                    var errno = Libc.LastErrno;
                    if (errno == Libc.EINTR)
                    {
                        continue;
                    }

                    throw new ErrnoException("write", errno);
                }

                done += (int)n;
            }
        }
    }

    /// <summary>Opens a file and returns the raw descriptor (close-on-exec).</summary>
    public static int OpenFile(string path, int flags, int mode = 0x1a4 /* 0644 */)
    {
        var fd = Libc.open(path, flags | Libc.O_CLOEXEC, mode);
        if (fd < 0)
        {
            throw ErrnoException.Last($"open {path}");
        }

        return fd;
    }

    public static int OpenDevNull(int flags = Libc.O_RDWR)
    {
        var fd = Libc.open("/dev/null", flags | Libc.O_CLOEXEC, 0);
        if (fd < 0)
        {
            throw ErrnoException.Last("open /dev/null");
        }

        return fd;
    }

    /// <summary>Whether a read of <paramref name="fd"/> would return at once (data, end of file or an error): poll with no wait.</summary>
    public static bool HasInput(int fd)
    {
        var p = new Libc.PollFd { Fd = fd, Events = Libc.POLLIN };
        return Libc.poll(&p, 1, 0) > 0;
    }

    /// <summary>Sets the window size of a terminal (pty master).</summary>
    public static void SetWindowSize(int fd, int rows, int cols)
    {
        var ws = new Libc.WinSize { Rows = (ushort)rows, Cols = (ushort)cols };
        if (Libc.ioctl(fd, Libc.TIOCSWINSZ, &ws) != 0)
        {
            throw ErrnoException.Last("ioctl TIOCSWINSZ");
        }
    }
}
