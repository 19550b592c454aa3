using Berth.Platform.Native;

namespace Berth.Platform.Files;

/// <summary>
/// A write lease on a file (fcntl F_SETLEASE F_WRLCK): any other open of the file, execve's
/// included, blocks in the kernel until the lease is released (or /proc/sys/fs/lease-break-time
/// passes). Holds a process at a chosen point of its start, for tests that must observe what
/// happens before its execve. Needs CAP_LEASE or ownership of the file, and no other open
/// descriptor of it.
/// </summary>
public sealed class FileLease : IDisposable
{
    private const int FSetSig = 10;
    private const int FSetLease = 1024;
    private const int FGetLease = 1025;
    private const int FRdLck = 0;
    private const int FWrLck = 1;
    private const int FUnLck = 2;

    // The lease holder is told of a break by a signal; SIGIO's default action would end this
    // process. SIGURG is ignored by default.
    private const int SigUrg = 23;

    private int _fd;

    private FileLease(int fd)
    {
        _fd = fd;
    }

    public static FileLease TakeWrite(string path)
    {
        var fd = Fd.OpenFile(path, Libc.O_RDONLY | Libc.O_CLOEXEC);
        try
        {
            if (Libc.fcntl(fd, FSetSig, SigUrg) != 0)
            {
                throw ErrnoException.Last("fcntl(F_SETSIG)");
            }

            if (Libc.fcntl(fd, FSetLease, FWrLck) != 0)
            {
                throw ErrnoException.Last($"fcntl(F_SETLEASE) {path}");
            }

            return new FileLease(fd);
        }
        catch
        {
            Fd.Close(fd);
            throw;
        }
    }

    /// <summary>True once someone else tried to open the file and now waits for the release.</summary>
    public bool IsBroken
    {
        get
        {
            var type = Libc.fcntl(_fd, FGetLease, 0);
            return type is FRdLck or FUnLck;
        }
    }

    /// <summary>Lets the waiting opener through.</summary>
    public void Dispose()
    {
        if (_fd >= 0)
        {
            _ = Libc.fcntl(_fd, FSetLease, FUnLck);
            Fd.Close(_fd);
            _fd = -1;
        }
    }
}
