using System.Runtime.InteropServices;
using Berth.Platform.Native;

namespace Berth.Platform.Isolation;

/// <summary>
/// Raw system calls that must act on the calling thread only. glibc's setuid/setgid/setgroups
/// wrappers change every thread of the process (POSIX semantics), which would strip the caller's
/// own credentials; the kernel calls change just the calling thread.
/// </summary>
internal static unsafe class Syscalls
{
    private static readonly Numbers Nr = RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 => new Numbers(Gettid: 186, Setgroups: 116, Setresuid: 117, Setresgid: 119, Capset: 126, Seccomp: 317, Setns: 308, Unshare: 272, PidfdOpen: 434),
        Architecture.Arm64 => new Numbers(Gettid: 178, Setgroups: 159, Setresuid: 147, Setresgid: 149, Capset: 91, Seccomp: 277, Setns: 268, Unshare: 97, PidfdOpen: 434),
        _ => new Numbers(-1, -1, -1, -1, -1, -1, -1, -1, -1),
    };

    /// <summary>False on architectures whose numbers are not listed here: callers use the OCI runtime instead.</summary>
    public static bool Supported => Nr.Gettid > 0;

    public static int Gettid() => (int)Call(Nr.Gettid, "gettid");

    public static void Unshare(int flags) => Call(Nr.Unshare, "unshare", flags);

    public static void Setns(int fd, int flags) => Call(Nr.Setns, "setns", fd, flags);

    public static int PidfdOpen(int pid) => (int)Call(Nr.PidfdOpen, "pidfd_open", pid, 0);

    public static void Setgroups(ReadOnlySpan<uint> groups)
    {
        fixed (uint* p = groups)
        {
            Call(Nr.Setgroups, "setgroups", groups.Length, (long)p);
        }
    }

    public static void Setresgid(uint gid) => Call(Nr.Setresgid, "setresgid", gid, gid, gid);

    public static void Setresuid(uint uid) => Call(Nr.Setresuid, "setresuid", uid, uid, uid);

    public static void Capset(ulong effective, ulong permitted, ulong inheritable)
    {
        const uint Version3 = 0x20080522;
        var header = stackalloc uint[2];
        header[0] = Version3;
        header[1] = 0;
        var data = stackalloc uint[6];
        data[0] = (uint)effective;
        data[1] = (uint)permitted;
        data[2] = (uint)inheritable;
        data[3] = (uint)(effective >> 32);
        data[4] = (uint)(permitted >> 32);
        data[5] = (uint)(inheritable >> 32);
        Call(Nr.Capset, "capset", (long)header, (long)data);
    }

    /// <summary>seccomp(SECCOMP_SET_MODE_FILTER, 0, prog): this thread only (no TSYNC).</summary>
    public static void LoadSeccompFilter(ReadOnlySpan<byte> bpf)
    {
        const int SetModeFilter = 1;
        fixed (byte* p = bpf)
        {
            // struct sock_fprog { unsigned short len; struct sock_filter *filter; }
            var prog = stackalloc long[2];
            prog[0] = bpf.Length / 8;
            prog[1] = (long)p;
            Call(Nr.Seccomp, "seccomp", SetModeFilter, 0, (long)prog);
        }
    }

    private static long Call(long nr, string name, long a1 = 0, long a2 = 0, long a3 = 0, long a4 = 0)
    {
        if (nr < 0)
        {
            throw new PlatformNotSupportedException($"{name} is not mapped on {RuntimeInformation.ProcessArchitecture}");
        }

        var rc = Libc.syscall(nr, a1, a2, a3, a4);
        return rc < 0 ? throw ErrnoException.Last(name) : rc;
    }

    private sealed record Numbers(long Gettid, long Setgroups, long Setresuid, long Setresgid, long Capset, long Seccomp, long Setns, long Unshare, long PidfdOpen);
}
