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
    /// Resolves a path inside the root to the host path it really names (after symlinks, clamped
    /// to the root). The result is only safe while nobody changes the tree; prefer <see cref="Open"/>.
    /// </summary>
    public static string Resolve(string root, string path)
    {
        using var handle = Open(root, path, Libc.O_PATH);
        return ReadLink($"/proc/self/fd/{handle.DangerousGetHandle()}");
    }

    private static string ReadLink(string link)
    {
        var info = new FileInfo(link);
        return info.LinkTarget ?? throw new IOException($"readlink {link} failed");
    }
}
