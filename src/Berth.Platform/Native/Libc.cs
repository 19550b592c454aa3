using System.Runtime.InteropServices;

namespace Berth.Platform.Native;

/// <summary>
/// The libc calls Berth makes. All P/Invoke lives here (source-generated, AOT-safe); the rest of
/// Platform wraps these in small typed helpers that turn errno into exceptions.
/// </summary>
public static unsafe partial class Libc
{
    private const string Lib = "libc";

    public const int EINTR = 4;
    public const int ECHILD = 10;
    public const int EAGAIN = 11;
    public const int ENOENT = 2;
    public const int ESRCH = 3;
    public const int EINVAL = 22;
    public const int EBUSY = 16;
    public const int EIO = 5;
    public const int EPIPE = 32;
    public const int ENOSYS = 38;
    public const int EXDEV = 18;

    public const int O_RDONLY = 0;
    public const int O_WRONLY = 1;
    public const int O_RDWR = 2;
    public const int O_CREAT = 0x40;
    public const int O_NOCTTY = 0x100;
    public const int O_TRUNC = 0x200;
    public const int O_APPEND = 0x400;
    public const int O_NONBLOCK = 0x800;
    public const int O_DIRECTORY = 0x10000;
    public const int O_NOFOLLOW = 0x20000;
    public const int O_CLOEXEC = 0x80000;
    public const int O_PATH = 0x200000;

    public const int F_GETFL = 3;
    public const int F_SETFL = 4;
    public const int F_SETFD = 2;
    public const int F_SETPIPE_SZ = 1031;
    public const int F_DUPFD_CLOEXEC = 1030;

    public const int WNOHANG = 1;

    public const int PR_SET_CHILD_SUBREAPER = 36;
    public const int PR_SET_PDEATHSIG = 1;

    public const int MS_RDONLY = 1;
    public const int MS_NOSUID = 2;
    public const int MS_NODEV = 4;
    public const int MS_NOEXEC = 8;
    public const int MS_REMOUNT = 32;
    public const int MS_BIND = 4096;
    public const int MS_REC = 16384;
    public const int MS_PRIVATE = 1 << 18;

    public const int MNT_DETACH = 2;

    public const int AF_UNIX = 1;
    public const int SOCK_STREAM = 1;
    public const int SOCK_SEQPACKET = 5;
    public const int SOCK_CLOEXEC = 0x80000;
    public const int SCM_RIGHTS = 1;
    public const int SOL_SOCKET = 1;

    public const ulong TIOCSWINSZ = 0x5414;

    public const int POSIX_SPAWN_SETSIGMASK = 0x08;
    public const int POSIX_SPAWN_SETSIGDEF = 0x04;
    public const int POSIX_SPAWN_SETSID = 0x80;

    public const int SCHED_OTHER = 0;
    public const int SCHED_IDLE = 5;

    public const long SYS_pidfd_open = 434;
    public const long SYS_openat2 = 437;

    public const int POLLIN = 1;

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int mount(string? source, string target, string? fstype, ulong flags, string? data);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int umount2(string target, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int kill(int pid, int sig);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int pipe2(int* fds, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int dup2(int oldfd, int newfd);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int fcntl(int fd, int cmd, int arg);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint read(int fd, byte* buf, nint count);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint write(int fd, byte* buf, nint count);

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int open(string path, int flags, int mode);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int waitpid(int pid, int* status, int options);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int setsid();

    /// <summary>Changes the working directory of the calling thread's filesystem context.</summary>
    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int chdir(string path);

    /// <summary>prlimit(pid, resource, new, old) with struct rlimit as two u64 (soft, hard).</summary>
    [LibraryImport(Lib, SetLastError = true)]
    public static partial int prlimit(int pid, int resource, ulong* newLimit, ulong* oldLimit);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int ioctl(int fd, ulong request, void* arg);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial long syscall(long number, long a1, long a2, long a3, long a4);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int poll(PollFd* fds, nuint nfds, int timeout);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int socket(int domain, int type, int protocol);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int bind(int fd, byte* addr, int len);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int listen(int fd, int backlog);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int accept4(int fd, byte* addr, int* len, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint recvmsg(int fd, MsgHdr* msg, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint sendmsg(int fd, MsgHdr* msg, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int socketpair(int domain, int type, int protocol, int* fds);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int sched_setscheduler(int pid, int policy, int* param);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int posix_spawn(int* pid, byte* path, void* fileActions, void* attr, byte** argv, byte** envp);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int posix_spawn_file_actions_init(void* fileActions);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int posix_spawn_file_actions_destroy(void* fileActions);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int posix_spawn_file_actions_adddup2(void* fileActions, int fd, int newfd);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int posix_spawn_file_actions_addclose(void* fileActions, int fd);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int posix_spawn_file_actions_addclosefrom_np(void* fileActions, int from);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int posix_spawn_file_actions_addopen(void* fileActions, int fd, byte* path, int oflag, int mode);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int posix_spawnattr_init(void* attr);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int posix_spawnattr_destroy(void* attr);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int posix_spawnattr_setflags(void* attr, short flags);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int posix_spawnattr_setsigmask(void* attr, void* sigmask);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int posix_spawnattr_setsigdefault(void* attr, void* sigdefault);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int sigfillset(void* set);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int sigemptyset(void* set);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int getpid();

    [LibraryImport(Lib, SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    public static partial int statx(int dirfd, string path, int flags, uint mask, byte* buf);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int grantpt(int fd);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int unlockpt(int fd);

    [StructLayout(LayoutKind.Sequential)]
    public struct PollFd
    {
        public int Fd;
        public short Events;
        public short Revents;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct IoVec
    {
        public void* Base;
        public nuint Len;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct MsgHdr
    {
        public void* Name;
        public uint NameLen;
        public IoVec* Iov;
        public nuint IovLen;
        public void* Control;
        public nuint ControlLen;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct WinSize
    {
        public ushort Rows;
        public ushort Cols;
        public ushort XPixel;
        public ushort YPixel;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct OpenHow
    {
        public ulong Flags;
        public ulong Mode;
        public ulong Resolve;
    }

    public static int LastErrno => Marshal.GetLastPInvokeError();

    public static string ErrorText(int errno) => Marshal.GetPInvokeErrorMessage(errno);
}
