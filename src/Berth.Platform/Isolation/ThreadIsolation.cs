using Berth.Platform.Native;

namespace Berth.Platform.Isolation;

/// <summary>
/// Moves the calling thread into a running container's namespaces and gives it the container
/// process's identity, one step at a time. Every step changes only this thread (credentials,
/// capabilities, namespaces and seccomp are per-thread in Linux), so a dedicated thread can do
/// this, start the process, and end, while the rest of the program keeps its own identity.
/// </summary>
public static class ThreadIsolation
{
    private const int CloneFs = 0x00000200;
    private const int NewNs = 0x00020000;
    private const int NewCgroup = 0x02000000;
    private const int NewUts = 0x04000000;
    private const int NewIpc = 0x08000000;
    private const int NewPid = 0x20000000;
    private const int NewNet = 0x40000000;
    private const int PrSetKeepCaps = 8;
    private const int PrCapbsetDrop = 24;
    private const int PrSetNoNewPrivs = 38;
    private const int PrGetDumpable = 3;
    private const int PrSetDumpable = 4;

    /// <summary>True where the per-thread calls are mapped (x86-64, arm64).</summary>
    public static bool Supported => Syscalls.Supported;

    /// <summary>A pidfd for <paramref name="pid"/>: names the process itself, so a recycled pid cannot be joined by mistake.</summary>
    public static int OpenPidFd(int pid) => Syscalls.PidfdOpen(pid);

    /// <summary>
    /// Joins the mount, UTS, IPC, network, cgroup and PID (for children) namespaces of the process
    /// behind <paramref name="pidfd"/>, all at once. The thread first stops sharing its root and
    /// working directory with the other threads, which the kernel requires for a mount namespace
    /// switch; afterwards paths resolve inside the container's root.
    /// </summary>
    public static void EnterNamespaces(int pidfd)
    {
        Syscalls.Unshare(CloneFs);
        Syscalls.Setns(pidfd, NewNs | NewCgroup | NewUts | NewIpc | NewPid | NewNet);
    }

    /// <summary>
    /// Makes the whole process non-dumpable (PR_SET_DUMPABLE 0). A thread that joins a container
    /// and takes its credentials, and a child spawned from it that shares this process's memory
    /// until execve, are otherwise open to the container's root through /proc/&lt;pid&gt;/mem, root,
    /// exe and environ (ptrace access checks compare credentials, which then match): the class of
    /// CVE-2016-9962. The flag belongs to the memory map, so it covers every thread and the
    /// spawned child until its execve gives it a map of its own. Never set back: nothing in this
    /// process needs to be dumpable.
    /// </summary>
    public static void MakeProcessNotDumpable()
    {
        if (Libc.prctl(PrSetDumpable, 0, 0, 0, 0) != 0)
        {
            throw ErrnoException.Last("prctl(PR_SET_DUMPABLE)");
        }
    }

    /// <summary>True while another process with the same credentials may open this one through /proc.</summary>
    public static bool ProcessIsDumpable => Libc.prctl(PrGetDumpable, 0, 0, 0, 0) != 0;

    /// <summary>Sets no_new_privs on this thread (and what it starts).</summary>
    public static void SetNoNewPrivileges()
    {
        if (Libc.prctl(PrSetNoNewPrivs, 1, 0, 0, 0) != 0)
        {
            throw ErrnoException.Last("prctl(PR_SET_NO_NEW_PRIVS)");
        }
    }

    /// <summary>
    /// Drops every capability outside <paramref name="bounding"/> from the bounding set, switches
    /// to the user and groups, then sets the capability sets (bit n = capability n). Must run
    /// while the thread still has CAP_SETPCAP, CAP_SETUID and CAP_SETGID.
    /// </summary>
    public static void SetCredentials(uint uid, uint gid, ReadOnlySpan<uint> groups, ulong bounding, ulong effective, ulong permitted, ulong inheritable)
    {
        for (var cap = 0; cap < 64; cap++)
        {
            if ((bounding & (1UL << cap)) != 0)
            {
                continue;
            }

            if (Libc.prctl(PrCapbsetDrop, (nuint)cap, 0, 0, 0) != 0)
            {
                var errno = System.Runtime.InteropServices.Marshal.GetLastPInvokeError();
                if (errno == Libc.EINVAL)
                {
                    break; // past the last capability this kernel knows
                }

                throw new ErrnoException("prctl(PR_CAPBSET_DROP)", errno);
            }
        }

        // Keep the permitted set across the uid change; capset below then trims it.
        if (Libc.prctl(PrSetKeepCaps, 1, 0, 0, 0) != 0)
        {
            throw ErrnoException.Last("prctl(PR_SET_KEEPCAPS)");
        }

        Syscalls.Setgroups(groups);
        Syscalls.Setresgid(gid);
        Syscalls.Setresuid(uid);
        Syscalls.Capset(effective, permitted, inheritable);
    }
}
