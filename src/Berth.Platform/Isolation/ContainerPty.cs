using Berth.Platform.Native;

namespace Berth.Platform.Isolation;

/// <summary>
/// A pseudo-terminal from the devpts instance of the mount namespace the calling thread is in:
/// called inside a container's namespaces it gives a terminal whose slave exists in the
/// container's /dev/pts, as a process started there must see.
/// </summary>
public static unsafe class ContainerPty
{
    private const ulong TIOCGPTN = 0x80045430;
    private const ulong TIOCSPTLCK = 0x40045431;

    /// <summary>Opens /dev/ptmx, unlocks the slave and returns the master fd and the slave's path.</summary>
    public static (int Master, string SlavePath) Open()
    {
        var master = Libc.open("/dev/ptmx", Libc.O_RDWR | Libc.O_NOCTTY | Libc.O_CLOEXEC, 0);
        if (master < 0)
        {
            throw ErrnoException.Last("open /dev/ptmx");
        }

        try
        {
            var unlock = 0;
            if (Libc.ioctl(master, TIOCSPTLCK, &unlock) != 0)
            {
                throw ErrnoException.Last("unlockpt");
            }

            var number = 0;
            if (Libc.ioctl(master, TIOCGPTN, &number) != 0)
            {
                throw ErrnoException.Last("ptsname");
            }

            return (master, "/dev/pts/" + number.ToString(System.Globalization.CultureInfo.InvariantCulture));
        }
        catch
        {
            Fd.Close(master);
            throw;
        }
    }
}
