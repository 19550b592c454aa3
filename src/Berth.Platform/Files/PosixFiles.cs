using System.ComponentModel;
using System.Runtime.InteropServices;
using System.Text;

namespace Berth.Platform.Files;

/// <summary>
/// File-system calls the BCL lacks, used by layer unpacking and diffing: device nodes, ownership
/// and times without following symlinks, extended attributes, hard links, lstat and directory fsync.
/// Every failure is an <see cref="IOException"/> naming the path and errno text.
/// </summary>
public static partial class PosixFiles
{
    private const int AT_FDCWD = -100;
    private const int AT_SYMLINK_NOFOLLOW = 0x100;
    private const int STATX_BASIC_STATS = 0x7ff;
    private const int O_RDONLY = 0;
    private const int O_DIRECTORY = 0x10000;
    private const int O_CLOEXEC = 0x80000;
    private const int ENODATA = 61;
    private const int EEXIST = 17;
    private const uint RENAME_NOREPLACE = 1;

    public static void Mknod(string path, uint mode, uint major, uint minor)
    {
        var dev = ((ulong)(major & 0xfffff000) << 32) | ((ulong)(major & 0xfff) << 8) | ((ulong)(minor & 0xffffff00) << 12) | (minor & 0xff);
        Check(mknod(path, mode, dev), "mknod", path);
    }

    /// <summary>chmod (follows symlinks: never call it on one). Keeps setuid, setgid and sticky bits.</summary>
    public static void Chmod(string path, uint mode) => Check(chmod(path, mode & 0xFFF), "chmod", path);

    /// <summary>chown without following a final symlink.</summary>
    public static void Lchown(string path, uint uid, uint gid) => Check(lchown(path, uid, gid), "lchown", path);

    /// <summary>Sets access and modification times without following a final symlink.</summary>
    public static unsafe void SetTimesNoFollow(string path, DateTimeOffset atime, DateTimeOffset mtime)
    {
        var times = stackalloc Timespec[2];
        times[0] = Timespec.From(atime);
        times[1] = Timespec.From(mtime);
        Check(utimensat(AT_FDCWD, path, times, AT_SYMLINK_NOFOLLOW), "utimensat", path);
    }

    /// <summary>Creates hard link <paramref name="newPath"/> to <paramref name="existing"/> (never follows symlinks).</summary>
    public static void Link(string existing, string newPath) => Check(link(existing, newPath), "link", newPath);

    /// <summary>
    /// rename(2) that never replaces: fails with EEXIST when <paramref name="newPath"/> exists.
    /// Renames the entry itself (a symlink is moved, not followed); both paths on one file system.
    /// </summary>
    public static void RenameNoReplace(string oldPath, string newPath) =>
        Check(renameat2(AT_FDCWD, oldPath, AT_FDCWD, newPath, RENAME_NOREPLACE), "rename", newPath);

    public static void SetXattr(string path, string name, ReadOnlySpan<byte> value) =>
        Check(lsetxattr(path, name, value, (nuint)value.Length, 0), "lsetxattr " + name, path);

    /// <summary>The value of an extended attribute, or null when it is not set.</summary>
    public static byte[]? GetXattr(string path, string name)
    {
        var size = lgetxattr(path, name, [], 0);
        if (size < 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno == ENODATA ? null : throw Error(errno, "lgetxattr " + name, path);
        }

        var buf = new byte[size];
        size = lgetxattr(path, name, buf, (nuint)buf.Length);
        return size < 0 ? throw Error(Marshal.GetLastPInvokeError(), "lgetxattr " + name, path) : buf[..(int)size];
    }

    /// <summary>Names of the extended attributes set on a path (symlinks not followed).</summary>
    public static IReadOnlyList<string> ListXattrs(string path)
    {
        var size = llistxattr(path, [], 0);
        if (size <= 0)
        {
            return size == 0 ? [] : throw Error(Marshal.GetLastPInvokeError(), "llistxattr", path);
        }

        var buf = new byte[size];
        size = llistxattr(path, buf, (nuint)buf.Length);
        if (size < 0)
        {
            throw Error(Marshal.GetLastPInvokeError(), "llistxattr", path);
        }

        return Encoding.UTF8.GetString(buf, 0, (int)size).Split('\0', StringSplitOptions.RemoveEmptyEntries);
    }

    /// <summary>lstat via statx: the status of the path itself, symlinks not followed; null when absent.</summary>
    public static unsafe FileStatus? TryLstat(string path)
    {
        Statx buf;
        if (statx(AT_FDCWD, path, AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS, &buf) != 0)
        {
            var errno = Marshal.GetLastPInvokeError();
            return errno is 2 or 20 ? null : throw Error(errno, "lstat", path); // ENOENT, ENOTDIR
        }

        return new FileStatus(buf.stx_mode, buf.stx_uid, buf.stx_gid, (long)buf.stx_size, buf.stx_ino,
            ((ulong)buf.stx_dev_major << 32) | buf.stx_dev_minor, buf.stx_nlink, buf.stx_rdev_major, buf.stx_rdev_minor,
            buf.stx_mtime.tv_sec, buf.stx_mtime.tv_nsec);
    }

    /// <summary>stat via statx, following symlinks: the status, or the errno when it fails.</summary>
    public static unsafe (FileStatus? Status, int Errno) TryStat(string path)
    {
        Statx buf;
        if (statx(AT_FDCWD, path, 0, STATX_BASIC_STATS, &buf) != 0)
        {
            return (null, Marshal.GetLastPInvokeError());
        }

        return (new FileStatus(buf.stx_mode, buf.stx_uid, buf.stx_gid, (long)buf.stx_size, buf.stx_ino,
            ((ulong)buf.stx_dev_major << 32) | buf.stx_dev_minor, buf.stx_nlink, buf.stx_rdev_major, buf.stx_rdev_minor,
            buf.stx_mtime.tv_sec, buf.stx_mtime.tv_nsec), 0);
    }

    public static FileStatus Lstat(string path) =>
        TryLstat(path) ?? throw new FileNotFoundException($"lstat {path}: no such file or directory", path);

    /// <summary>fsync of a directory, so that a rename or create inside it survives a crash.</summary>
    public static void FsyncDirectory(string path)
    {
        var fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
        if (fd < 0)
        {
            throw Error(Marshal.GetLastPInvokeError(), "open", path);
        }

        try
        {
            Check(fsync(fd), "fsync", path);
        }
        finally
        {
            _ = close(fd);
        }
    }

    /// <summary>
    /// Marks <paramref name="path"/> as the top of a directory hierarchy for ext4's inode
    /// allocator (FS_TOPDIR_FL, what `chattr +T` sets): each new subdirectory then goes to a
    /// block group of its own choosing instead of the parent's. Why Berth wants it: without a
    /// journal, ext4 skips every free inode of a group that was deleted in the last minutes, one
    /// buffer lookup each, on every inode it allocates there; with all containers under one
    /// parent, the inodes of removed containers pile up in that parent's group and each new file
    /// pays for all of them (a third of berthd's CPU time during 50 concurrent starts here).
    /// False where the file system has no such flag; nothing is changed then.
    /// </summary>
    public static unsafe bool TryMarkTopDirectory(string path)
    {
        const uint FS_IOC_GETFLAGS = 0x80086601;
        const uint FS_IOC_SETFLAGS = 0x40086602;
        const int FS_TOPDIR_FL = 0x00020000;
        var fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
        if (fd < 0)
        {
            return false;
        }

        try
        {
            int flags;
            if (ioctl(fd, FS_IOC_GETFLAGS, &flags) != 0)
            {
                return false;
            }

            if ((flags & FS_TOPDIR_FL) != 0)
            {
                return true;
            }

            flags |= FS_TOPDIR_FL;
            return ioctl(fd, FS_IOC_SETFLAGS, &flags) == 0;
        }
        finally
        {
            _ = close(fd);
        }
    }

    /// <summary>True when creating failed only because the path exists.</summary>
    public static bool IsAlreadyExists(IOException e) => e.HResult == EEXIST;

    private static void Check(int rc, string op, string path)
    {
        if (rc != 0)
        {
            throw Error(Marshal.GetLastPInvokeError(), op, path);
        }
    }

    private static IOException Error(int errno, string op, string path) =>
        new($"{op} {path}: {new Win32Exception(errno).Message}", errno);

    [StructLayout(LayoutKind.Sequential)]
    private struct Timespec
    {
        public long tv_sec;
        public long tv_nsec;

        public static Timespec From(DateTimeOffset t)
        {
            var ticks = t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
            var sec = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var rem);
            if (rem < 0)
            {
                sec--;
                rem += TimeSpan.TicksPerSecond;
            }

            return new Timespec { tv_sec = sec, tv_nsec = rem * 100 };
        }
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct StatxTimestamp
    {
        public long tv_sec;
        public uint tv_nsec;
        public int reserved;
    }

    [StructLayout(LayoutKind.Sequential)]
    private unsafe struct Statx
    {
        public uint stx_mask;
        public uint stx_blksize;
        public ulong stx_attributes;
        public uint stx_nlink;
        public uint stx_uid;
        public uint stx_gid;
        public ushort stx_mode;
        public ushort spare0;
        public ulong stx_ino;
        public ulong stx_size;
        public ulong stx_blocks;
        public ulong stx_attributes_mask;
        public StatxTimestamp stx_atime;
        public StatxTimestamp stx_btime;
        public StatxTimestamp stx_ctime;
        public StatxTimestamp stx_mtime;
        public uint stx_rdev_major;
        public uint stx_rdev_minor;
        public uint stx_dev_major;
        public uint stx_dev_minor;
        public fixed ulong spare2[14];
    }

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int mknod(string path, uint mode, ulong dev);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int renameat2(int olddirfd, string oldpath, int newdirfd, string newpath, uint flags);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int chmod(string path, uint mode);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int lchown(string path, uint uid, uint gid);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int utimensat(int dirfd, string path, Timespec* times, int flags);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int link(string oldpath, string newpath);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int lsetxattr(string path, string name, ReadOnlySpan<byte> value, nuint size, int flags);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint lgetxattr(string path, string name, Span<byte> value, nuint size);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint llistxattr(string path, Span<byte> list, nuint size);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static unsafe partial int statx(int dirfd, string path, int flags, int mask, Statx* buf);

    [LibraryImport("libc", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int open(string path, int flags, int mode);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fsync(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static unsafe partial int ioctl(int fd, nuint request, int* arg);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int close(int fd);
}
