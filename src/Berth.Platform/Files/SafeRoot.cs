using System.Text;
using Berth.Platform.Native;
using Microsoft.Win32.SafeHandles;

namespace Berth.Platform.Files;

/// <summary>
/// Opens paths inside a container's root filesystem with openat2(RESOLVE_IN_ROOT): symlinks and
/// ".." are resolved as if the root were "/", so a hostile image cannot make the daemon read or
/// write outside it (docker cp, user look-ups in /etc/passwd, extraction).
/// </summary>
public static unsafe class SafeRoot
{
    private const ulong ResolveNoMagicLinks = 0x02;
    private const ulong ResolveInRoot = 0x10;
    private const int AtEmptyPath = 0x1000;
    private const uint StatxBasicStats = 0x7ff;

    /// <summary>Opens <paramref name="path"/> (absolute or relative, interpreted inside <paramref name="root"/>).</summary>
    public static SafeFileHandle Open(string root, string path, int flags, int mode = 0)
    {
        var rootFd = Libc.open(root, Libc.O_PATH | Libc.O_DIRECTORY | Libc.O_CLOEXEC, 0);
        if (rootFd < 0)
        {
            throw ErrnoException.Last($"open {root}");
        }

        try
        {
            var how = new Libc.OpenHow
            {
                Flags = (ulong)(flags | Libc.O_CLOEXEC),
                Mode = (ulong)mode,
                Resolve = ResolveInRoot | ResolveNoMagicLinks,
            };
            var rel = path.TrimStart('/');
            if (rel.Length == 0)
            {
                rel = ".";
            }

            var bytes = Encoding.UTF8.GetBytes(rel + "\0");
            fixed (byte* p = bytes)
            {
                var fd = Libc.syscall(Libc.SYS_openat2, rootFd, (long)p, (long)&how, sizeof(Libc.OpenHow));
                if (fd < 0)
                {
                    throw new ErrnoException($"open {path} in {root}", Libc.LastErrno);
                }

                return new SafeFileHandle((nint)fd, ownsHandle: true);
            }
        }
        finally
        {
            _ = Libc.close(rootFd);
        }
    }

    /// <summary>Reads a whole file inside the root, or null when it does not exist.</summary>
    public static byte[]? TryReadAllBytes(string root, string path)
    {
        SafeFileHandle handle;
        try
        {
            handle = Open(root, path, Libc.O_RDONLY);
        }
        catch (ErrnoException e) when (e.Errno is Libc.ENOENT or 20 /* ENOTDIR */)
        {
            return null;
        }

        using (handle)
        using (var fs = new FileStream(handle, FileAccess.Read, 1))
        using (var ms = new MemoryStream())
        {
            fs.CopyTo(ms);
            return ms.ToArray();
        }
    }

    /// <summary>
    /// Reads a small configuration file a container controls (its /etc/passwd, /etc/group): null
    /// when it does not exist. Never blocks and never reads without end, whatever the image put
    /// there: the open is non-blocking (a FIFO would otherwise wait for a writer forever), the
    /// opened file must be a regular file (not a FIFO, device such as /dev/zero, socket or
    /// directory), and more than <paramref name="maxBytes"/> is refused. Symlinks are followed
    /// inside the root only, as runc resolves them; they never reach a host path.
    /// Throws <see cref="InvalidDataException"/> saying what is wrong with the file.
    /// </summary>
    public static byte[]? TryReadBoundedRegularFile(string root, string path, int maxBytes)
    {
        SafeFileHandle handle;
        try
        {
            handle = Open(root, path, Libc.O_RDONLY | Libc.O_NONBLOCK | Libc.O_NOCTTY);
        }
        catch (ErrnoException e) when (e.Errno is Libc.ENOENT or 20 /* ENOTDIR */)
        {
            return null;
        }
        catch (ErrnoException e) when (e.Errno is 40 /* ELOOP */ or 6 /* ENXIO: a socket */ or 18 /* EXDEV */)
        {
            throw new InvalidDataException($"{path} cannot be opened: {System.Runtime.InteropServices.Marshal.GetPInvokeErrorMessage(e.Errno)}");
        }

        using (handle)
        {
            var fd = (int)handle.DangerousGetHandle();
            var buf = stackalloc byte[256];
            if (Libc.statx(fd, string.Empty, AtEmptyPath, StatxBasicStats, buf) != 0)
            {
                throw ErrnoException.Last($"stat {path} in {root}");
            }

            var type = *(ushort*)(buf + 28) & 0xF000;
            if (type != 0x8000)
            {
                throw new InvalidDataException($"{path} is {Describe(type)}, not a regular file");
            }

            var size = *(long*)(buf + 40);
            if (size > maxBytes)
            {
                throw new InvalidDataException($"{path} is larger than {maxBytes} bytes");
            }

            // The size is rechecked while reading: the file may grow between stat and read.
            var data = new byte[(int)Math.Min(size, maxBytes) + 1];
            var total = 0;
            while (true)
            {
                if (total == data.Length)
                {
                    if (total > maxBytes)
                    {
                        throw new InvalidDataException($"{path} is larger than {maxBytes} bytes");
                    }

                    Array.Resize(ref data, (int)Math.Min(data.Length * 2L, maxBytes + 1L));
                }

                var n = Fd.Read(fd, data.AsSpan(total));
                if (n == 0)
                {
                    return data[..total];
                }

                total += n;
            }
        }
    }

    /// <summary>
    /// Resolves a path inside the root to the host path it really names (after symlinks, clamped
    /// to the root). The result is only safe while nobody changes the tree; prefer <see cref="Open"/>.
    /// </summary>
    public static string Resolve(string root, string path)
    {
        using var handle = Open(root, path, Libc.O_PATH);
        return ReadLink($"/proc/self/fd/{handle.DangerousGetHandle()}");
    }

    private static string Describe(int type) => type switch
    {
        0x1000 => "a FIFO",
        0x2000 => "a character device",
        0x4000 => "a directory",
        0x6000 => "a block device",
        0xC000 => "a socket",
        _ => "a special file",
    };

    private static string ReadLink(string link)
    {
        var info = new FileInfo(link);
        return info.LinkTarget ?? throw new IOException($"readlink {link} failed");
    }
}
