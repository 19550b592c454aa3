using System.Runtime.InteropServices;
using System.Text;
using Berth.Platform.Native;
using Microsoft.Win32.SafeHandles;

namespace Berth.Platform.Files;

/// <summary>
/// Descriptor-relative file calls for trees another party controls (a running container's root):
/// every name is one component looked up in a directory descriptor the caller holds, and a final
/// symlink is never followed. Combined with <see cref="RootDirectory"/> (openat2 RESOLVE_IN_ROOT),
/// no host path is ever built from the tree's content, so a component swapped for a symlink
/// between two calls cannot lead outside. Failures are <see cref="ErrnoException"/>s.
/// </summary>
public static partial class PosixFiles
{
    private const int AT_EMPTY_PATH = 0x1000;
    private const int AT_REMOVEDIR = 0x200;
    private const int O_PATH_ = 0x200000;
    private const int O_NOFOLLOW_ = 0x20000;
    private const int ELOOP = 40;

    /// <summary>The status of what the descriptor refers to (an O_PATH descriptor of a symlink gives the link).</summary>
    public static unsafe FileStatus Fstat(SafeFileHandle fd)
    {
        Statx buf;
        if (statx_fd(fd, string.Empty, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &buf) != 0)
        {
            throw ErrnoException.Last("fstat");
        }

        return ToStatus(buf);
    }

    /// <summary>lstat of <paramref name="name"/> (one component) in <paramref name="dir"/>; null when absent.</summary>
    public static unsafe FileStatus? TryStatAt(SafeFileHandle dir, string name)
    {
        CheckName(name);
        Statx buf;
        if (statx_fd(dir, name, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &buf) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno is 2 or 20 ? null : throw new ErrnoException($"lstat {name}", errno);
        }

        return ToStatus(buf);
    }

    /// <summary>The target of the symlink an O_PATH|O_NOFOLLOW descriptor refers to.</summary>
    public static string ReadLink(SafeFileHandle fd)
    {
        var buf = new byte[4096];
        var n = readlinkat(fd, string.Empty, buf, (nuint)buf.Length);
        return n < 0 ? throw ErrnoException.Last("readlink") : Encoding.UTF8.GetString(buf, 0, (int)n);
    }

    /// <summary>openat of one component, never following a final symlink (O_NOFOLLOW and O_CLOEXEC are added).</summary>
    public static SafeFileHandle OpenAt(SafeFileHandle dir, string name, int flags, uint mode = 0)
    {
        CheckName(name);
        var fd = openat(dir, name, flags | O_NOFOLLOW_ | O_CLOEXEC, mode);
        return fd < 0 ? throw ErrnoException.Last($"open {name}") : new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>
    /// Opens what an O_PATH descriptor refers to for I/O (through its /proc/self/fd entry, which
    /// names that very file, not a path). Call it only once <see cref="Fstat"/> showed a regular
    /// file or directory: a device or FIFO must never be opened on a container's say-so.
    /// </summary>
    public static SafeFileHandle Reopen(SafeFileHandle pathFd, int flags)
    {
        var fd = open("/proc/self/fd/" + pathFd.DangerousGetHandle(), flags | O_CLOEXEC, 0);
        return fd < 0 ? throw ErrnoException.Last("reopen") : new SafeFileHandle(fd, ownsHandle: true);
    }

    /// <summary>The names in a directory opened for reading (O_RDONLY|O_DIRECTORY), without "." and "..".</summary>
    public static unsafe List<string> ReadDirectory(SafeFileHandle dir)
    {
        var names = new List<string>();
        var buf = new byte[32768];
        fixed (byte* p = buf)
        {
            while (true)
            {
                var n = getdents64(dir, p, (nuint)buf.Length);
                if (n < 0)
                {
                    throw ErrnoException.Last("getdents64");
                }

                if (n == 0)
                {
                    return names;
                }

                // struct linux_dirent64: u64 ino, s64 off, u16 reclen, u8 type, char name[].
                for (nint off = 0; off < n;)
                {
                    var reclen = *(ushort*)(p + off + 16);
                    var name = new ReadOnlySpan<byte>(p + off + 19, reclen - 19);
                    var len = name.IndexOf((byte)0);
                    var s = Encoding.UTF8.GetString(len < 0 ? name : name[..len]);
                    if (s is not ("." or ".."))
                    {
                        names.Add(s);
                    }

                    off += reclen;
                }
            }
        }
    }

    public static void MkdirAt(SafeFileHandle dir, string name, uint mode)
    {
        CheckName(name);
        CheckAt(mkdirat(dir, name, mode), "mkdir", name);
    }

    public static void SymlinkAt(string target, SafeFileHandle dir, string name)
    {
        CheckName(name);
        CheckAt(symlinkat(target, dir, name), "symlink", name);
    }

    /// <summary>A new hard link <paramref name="name"/> in <paramref name="dir"/> to the file <paramref name="existing"/> (an O_PATH descriptor) refers to.</summary>
    public static void LinkAt(SafeFileHandle existing, SafeFileHandle dir, string name)
    {
        CheckName(name);
        CheckAt(linkat(existing, string.Empty, dir, name, AT_EMPTY_PATH), "link", name);
    }

    public static void MknodAt(SafeFileHandle dir, string name, uint mode, uint major, uint minor)
    {
        CheckName(name);
        var dev = ((ulong)(major & 0xfffff000) << 32) | ((ulong)(major & 0xfff) << 8) | ((ulong)(minor & 0xffffff00) << 12) | (minor & 0xff);
        CheckAt(mknodat(dir, name, mode, dev), "mknod", name);
    }

    public static void UnlinkAt(SafeFileHandle dir, string name, bool directory)
    {
        CheckName(name);
        CheckAt(unlinkat(dir, name, directory ? AT_REMOVEDIR : 0), "unlink", name);
    }

    /// <summary>Removes <paramref name="name"/> and, for a directory, everything under it, descending by descriptors only.</summary>
    public static void RemoveAllAt(SafeFileHandle dir, string name)
    {
        CheckName(name);
        if (unlinkat(dir, name, 0) == 0)
        {
            return;
        }

        var errno = Marshal.GetLastPInvokeError();
        if (errno == 2)
        {
            return;
        }

        if (errno != 21)
        {
            // EISDIR is the only reason to descend.
            throw new ErrnoException($"unlink {name}", errno);
        }

        using (var sub = OpenAt(dir, name, O_RDONLY | O_DIRECTORY))
        {
            foreach (var child in ReadDirectory(sub))
            {
                RemoveAllAt(sub, child);
            }
        }

        if (unlinkat(dir, name, AT_REMOVEDIR) != 0 && Marshal.GetLastPInvokeError() != 2)
        {
            throw ErrnoException.Last($"rmdir {name}");
        }
    }

    /// <summary>chown of <paramref name="name"/> itself (a symlink is changed, not followed).</summary>
    public static void LchownAt(SafeFileHandle dir, string name, uint uid, uint gid)
    {
        CheckName(name);
        CheckAt(fchownat(dir, name, uid, gid, AT_SYMLINK_NOFOLLOW), "lchown", name);
    }

    /// <summary>Access and modification times of <paramref name="name"/> itself (a symlink is not followed).</summary>
    public static unsafe void SetTimesAt(SafeFileHandle dir, string name, DateTimeOffset atime, DateTimeOffset mtime)
    {
        CheckName(name);
        var times = stackalloc Timespec[2];
        times[0] = Timespec.From(atime);
        times[1] = Timespec.From(mtime);
        CheckAt(utimensat_fd(dir, name, times, AT_SYMLINK_NOFOLLOW), "utimensat", name);
    }

    /// <summary>
    /// chmod of <paramref name="name"/> without ever following a symlink: the name is pinned with
    /// an O_PATH descriptor, checked not to be a symlink, and changed through that descriptor.
    /// A symlink (which has no mode of its own on Linux) is left as it is.
    /// </summary>
    public static void ChmodAt(SafeFileHandle dir, string name, uint mode)
    {
        using var fd = OpenAt(dir, name, O_PATH_);
        if (Fstat(fd).IsSymlink)
        {
            return;
        }

        // /proc/self/fd/N names the pinned inode itself; a non-symlink cannot redirect it.
        Check(chmod("/proc/self/fd/" + fd.DangerousGetHandle(), mode & 0xFFF), "chmod", name);
    }

    public static void Fchown(SafeFileHandle fd, uint uid, uint gid) => CheckAt(fchown(fd, uid, gid), "fchown", string.Empty);

    /// <summary>fchmod (keeps setuid, setgid and sticky) of a descriptor opened for I/O.</summary>
    public static void Fchmod(SafeFileHandle fd, uint mode) => CheckAt(fchmod(fd, mode & 0xFFF), "fchmod", string.Empty);

    public static unsafe void SetTimes(SafeFileHandle fd, DateTimeOffset atime, DateTimeOffset mtime)
    {
        var times = stackalloc Timespec[2];
        times[0] = Timespec.From(atime);
        times[1] = Timespec.From(mtime);
        CheckAt(futimens(fd, times), "futimens", string.Empty);
    }

    /// <summary>True when a descriptor-relative call failed because it met a symlink it must not follow.</summary>
    public static bool IsSymlinkRefused(ErrnoException e) => e?.Errno == ELOOP;

    /// <summary>One path component: no slash, not empty, not "." or "..".</summary>
    private static void CheckName(string name)
    {
        if (name.Length == 0 || name is "." or ".." || name.Contains('/', StringComparison.Ordinal) || name.Contains('\0', StringComparison.Ordinal))
        {
            throw new ArgumentException($"not a single path component: \"{name}\"", nameof(name));
        }
    }

    private static void CheckAt(int rc, string op, string name)
    {
        if (rc != 0)
        {
            throw ErrnoException.Last(name.Length == 0 ? op : $"{op} {name}");
        }
    }

    private static FileStatus ToStatus(in Statx buf) =>
        new(buf.stx_mode, buf.stx_uid, buf.stx_gid, (long)buf.stx_size, buf.stx_ino,
            ((ulong)buf.stx_dev_major << 32) | buf.stx_dev_minor, buf.stx_nlink, buf.stx_rdev_major, buf.stx_rdev_minor,
            buf.stx_mtime.tv_sec, buf.stx_mtime.tv_nsec);

    [LibraryImport("libc", EntryPoint = "statx", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int statx_fd(SafeFileHandle dirfd, string path, int flags, int mask, Statx* buf);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint readlinkat(SafeFileHandle dirfd, string path, Span<byte> buf, nuint size);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int openat(SafeFileHandle dirfd, string path, int flags, uint mode);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial nint getdents64(SafeFileHandle fd, byte* buf, nuint count);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int mkdirat(SafeFileHandle dirfd, string path, uint mode);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int symlinkat(string target, SafeFileHandle dirfd, string path);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int linkat(SafeFileHandle olddirfd, string oldpath, SafeFileHandle newdirfd, string newpath, int flags);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int mknodat(SafeFileHandle dirfd, string path, uint mode, ulong dev);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int unlinkat(SafeFileHandle dirfd, string path, int flags);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int fchownat(SafeFileHandle dirfd, string path, uint uid, uint gid, int flags);

    [LibraryImport("libc", EntryPoint = "utimensat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int utimensat_fd(SafeFileHandle dirfd, string path, Timespec* times, int flags);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fchown(SafeFileHandle fd, uint uid, uint gid);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fchmod(SafeFileHandle fd, uint mode);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int futimens(SafeFileHandle fd, Timespec* times);
}
