using System.Text;
using Berth.Platform.Native;
using Microsoft.Win32.SafeHandles;

namespace Berth.Platform.Files;

/// <summary>
/// A directory held open (O_PATH) as the "/" of a tree someone else controls: a container's root.
/// Paths are resolved by the kernel in one openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) call,
/// so symlinks and ".." stay inside the root even while the tree changes under us; what is found
/// is then used through its descriptor (see the *At calls of <see cref="PosixFiles"/>), never
/// through a host path. Mounts inside the root (a container's volumes) are crossed: they are part
/// of the container's view.
/// </summary>
public sealed unsafe class RootDirectory : IDisposable
{
    private const ulong ResolveNoMagicLinks = 0x02;
    private const ulong ResolveInRoot = 0x10;

    private RootDirectory(SafeFileHandle handle)
    {
        Handle = handle;
    }

    /// <summary>The O_PATH descriptor of the root directory.</summary>
    public SafeFileHandle Handle { get; }

    /// <summary>Opens a host directory the caller chose (never one named by the tree's content).</summary>
    public static RootDirectory Open(string hostPath)
    {
        var fd = Libc.open(hostPath, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        return fd < 0 ? throw ErrnoException.Last($"open {hostPath}") : new RootDirectory(new SafeFileHandle(fd, ownsHandle: true));
    }

    /// <summary>
    /// The root directory of process <paramref name="pid"/> (its mount namespace's view, volumes
    /// included). The pid is pinned with a pidfd first and <paramref name="stillOurs"/> confirms it
    /// still names the intended process; if the process is gone once the root is open, the pid may
    /// have named another process meanwhile and null is returned.
    /// </summary>
    public static RootDirectory? OpenProcessRoot(int pid, Func<bool> stillOurs)
    {
        ArgumentNullException.ThrowIfNull(stillOurs);
        var pidfd = (int)Libc.syscall(Libc.SYS_pidfd_open, pid, 0, 0, 0);
        if (pidfd < 0)
        {
            return Libc.LastErrno == Libc.ESRCH ? null : throw ErrnoException.Last("pidfd_open");
        }

        try
        {
            if (!stillOurs())
            {
                return null;
            }

            var fd = Libc.open($"/proc/{pid}/root", Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
            if (fd < 0)
            {
                var errno = Libc.LastErrno;
                return errno is Libc.ENOENT or Libc.ESRCH ? null : throw new ErrnoException($"open /proc/{pid}/root", errno);
            }

            var root = new RootDirectory(new SafeFileHandle(fd, ownsHandle: true));
            var poll = new Libc.PollFd { Fd = pidfd, Events = Libc.POLLIN };
            if (Libc.poll(&poll, 1, 0) != 0)
            {
                // Exited (or the poll failed): the directory we opened may not be its root.
                root.Dispose();
                return null;
            }

            return root;
        }
        finally
        {
            _ = Libc.close(pidfd);
        }
    }

    /// <summary>openat2 of <paramref name="path"/> inside the root (O_CLOEXEC added); throws <see cref="ErrnoException"/>.</summary>
    public SafeFileHandle Open(string path, int flags, int mode = 0) =>
        TryOpen(path, flags, mode, out var errno) ?? throw new ErrnoException($"open {path}", errno);

    /// <summary>Like <see cref="Open"/>, null when a component is missing or not a directory (ENOENT, ENOTDIR).</summary>
    public SafeFileHandle? TryOpen(string path, int flags, int mode = 0)
    {
        var handle = TryOpen(path, flags, mode, out var errno);
        return handle is not null || errno is Libc.ENOENT or 20 ? handle : throw new ErrnoException($"open {path}", errno);
    }

    /// <summary>Reads a whole regular file inside the root, or null when it does not exist or is not a regular file.</summary>
    public byte[]? TryReadAllBytes(string path)
    {
        using var pathFd = TryOpen(path, Libc.O_PATH);
        if (pathFd is null || !PosixFiles.Fstat(pathFd).IsRegular)
        {
            return null;
        }

        using var fd = PosixFiles.Reopen(pathFd, Libc.O_RDONLY);
        using var fs = new FileStream(fd, FileAccess.Read, 1);
        using var ms = new MemoryStream();
        fs.CopyTo(ms);
        return ms.ToArray();
    }

    /// <summary>
    /// Opens the directory <paramref name="path"/> inside the root (O_PATH), first making each
    /// missing component with <paramref name="mode"/> in its parent's descriptor (mkdir -p as the
    /// container would see it: symlinks on the way are resolved inside the root).
    /// </summary>
    public SafeFileHandle MakeDirectories(string path, uint mode)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (TryOpen(path, Libc.O_PATH | Libc.O_DIRECTORY) is { } existing)
        {
            return existing;
        }

        var current = Open("/", Libc.O_PATH | Libc.O_DIRECTORY);
        var sofar = string.Empty;
        foreach (var part in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (part == ".")
            {
                continue;
            }

            sofar += "/" + part;
            var next = TryOpen(sofar, Libc.O_PATH | Libc.O_DIRECTORY);
            if (next is null && part != "..")
            {
                try
                {
                    PosixFiles.MkdirAt(current, part, mode);
                }
                catch (ErrnoException e) when (e.Errno == 17)
                {
                    // EEXIST: made meanwhile, or a symlink to something that is not a directory (the open below says which).
                }

                next = TryOpen(sofar, Libc.O_PATH | Libc.O_DIRECTORY);
            }

            current.Dispose();
            current = next ?? throw new ErrnoException($"mkdir {sofar}", 20);
        }

        return current;
    }

    public void Dispose() => Handle.Dispose();

    private SafeFileHandle? TryOpen(string path, int flags, int mode, out int errno)
    {
        ArgumentNullException.ThrowIfNull(path);
        var how = new Libc.OpenHow
        {
            Flags = (ulong)(flags | Libc.O_CLOEXEC),
            Mode = (ulong)mode,
            Resolve = ResolveInRoot | ResolveNoMagicLinks,
        };
        var rel = path.TrimStart('/');
        var bytes = Encoding.UTF8.GetBytes((rel.Length == 0 ? "." : rel) + "\0");
        var added = false;
        try
        {
            Handle.DangerousAddRef(ref added);
            fixed (byte* p = bytes)
            {
                long fd;
                var tries = 0;
                do
                {
                    // EAGAIN: a rename raced a ".." in the lookup and the kernel asks to retry (bounded:
                    // a container renaming in a loop must not keep the daemon here).
                    fd = Libc.syscall(Libc.SYS_openat2, Handle.DangerousGetHandle(), (long)p, (long)&how, sizeof(Libc.OpenHow));
                }
                while (fd < 0 && Libc.LastErrno == Libc.EAGAIN && ++tries < 100);

                errno = fd < 0 ? Libc.LastErrno : 0;
                return fd < 0 ? null : new SafeFileHandle((nint)fd, ownsHandle: true);
            }
        }
        finally
        {
            if (added)
            {
                Handle.DangerousRelease();
            }
        }
    }
}
