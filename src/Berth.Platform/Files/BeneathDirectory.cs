using System.Text;
using Berth.Platform.Native;
using Microsoft.Win32.SafeHandles;

namespace Berth.Platform.Files;

/// <summary>
/// Opens a relative path strictly beneath a directory someone else fills (a volume a container
/// writes): one openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS) from the directory's O_PATH
/// descriptor. Symlinks and ".." that stay below the directory are followed; one that would leave
/// it (an absolute symlink, "../..") fails with EXDEV, so the kernel, not a path check made
/// earlier, decides what is reached, and the descriptor keeps naming it whatever the tree does next.
/// </summary>
public static unsafe class BeneathDirectory
{
    private const ulong ResolveNoMagicLinks = 0x02;
    private const ulong ResolveBeneath = 0x08;

    /// <summary>
    /// O_PATH descriptor of <paramref name="relativePath"/> beneath <paramref name="directory"/>
    /// (a host directory the caller chose, itself not followed if it is a symlink). Throws
    /// <see cref="ErrnoException"/>: EXDEV for an escape, ENOENT, ENOTDIR, ELOOP as the kernel says.
    /// </summary>
    public static SafeFileHandle OpenPath(string directory, string relativePath)
    {
        ArgumentNullException.ThrowIfNull(directory);
        ArgumentNullException.ThrowIfNull(relativePath);
        var dirFd = Libc.open(directory, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_NOFOLLOW | Libc.O_CLOEXEC, 0);
        if (dirFd < 0)
        {
            throw ErrnoException.Last($"open {directory}");
        }

        try
        {
            var how = new Libc.OpenHow
            {
                Flags = (ulong)(Libc.O_PATH | Libc.O_CLOEXEC),
                Resolve = ResolveBeneath | ResolveNoMagicLinks,
            };
            var bytes = Encoding.UTF8.GetBytes((relativePath.Length == 0 ? "." : relativePath) + "\0");
            fixed (byte* p = bytes)
            {
                long fd;
                var tries = 0;
                do
                {
                    // EAGAIN: a rename raced a ".." in the lookup; bounded, as a container may rename in a loop.
                    fd = Libc.syscall(Libc.SYS_openat2, dirFd, (long)p, (long)&how, sizeof(Libc.OpenHow));
                }
                while (fd < 0 && Libc.LastErrno == Libc.EAGAIN && ++tries < 100);

                return fd < 0
                    ? throw new ErrnoException($"open {relativePath} beneath {directory}", Libc.LastErrno)
                    : new SafeFileHandle((nint)fd, ownsHandle: true);
            }
        }
        finally
        {
            _ = Libc.close(dirFd);
        }
    }
}
