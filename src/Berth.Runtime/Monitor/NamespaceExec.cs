using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using Berth.Platform.Files;
using Berth.Platform.Isolation;
using Berth.Platform.Native;
using Berth.Platform.Processes;
using Berth.Runtime.Oci;

namespace Berth.Runtime.Monitor;

/// <summary>
/// Starts an exec process inside a running container without the OCI runtime: a dedicated thread
/// joins the container's cgroups (v1 places threads individually) and namespaces, takes the
/// process's user, capabilities, no_new_privs and seccomp filter, and spawns the process, which
/// inherits all of it. It is what `runc exec` does, minus starting two Go programs (~30 ms here).
/// Where a container needs more than this covers (cgroup v2 controllers, a user namespace,
/// seccomp notify), <see cref="Prepare"/> says so and the runtime's exec is used.
/// </summary>
public static class NamespaceExec
{
    /// <summary>Set to 1 in berthd's environment to start every exec through the OCI runtime.</summary>
    public const string ViaRuntimeVariable = "BERTH_EXEC_VIA_RUNTIME";

    /// <summary>
    /// Read by berthd when an exec starts and passed to its monitor as an argument: a spare
    /// monitor was started earlier and carries the environment of that moment.
    /// </summary>
    public static bool ViaRuntimeRequested => Environment.GetEnvironmentVariable(ViaRuntimeVariable) == "1";

    private const string StartFailed = "exec failed: unable to start container process: ";
    private const string BpfCacheFile = "seccomp.bpf";

    /// <summary>
    /// Gathers, on the host side, everything the thread will need, or returns null when this exec
    /// must go through the OCI runtime (always when <paramref name="viaRuntime"/>).
    /// <paramref name="bundleDir"/> holds the container's config.json.
    /// </summary>
    public static Plan? Prepare(string bundleDir, OciProcess process, int containerPid, bool viaRuntime)
    {
        ArgumentNullException.ThrowIfNull(process);
        if (!ThreadIsolation.Supported || viaRuntime || process.Args.Count == 0 || containerPid <= 0)
        {
            return null;
        }

        var spec = JsonSerializer.Deserialize(File.ReadAllBytes(Path.Combine(bundleDir, "config.json")), OciJsonContext.Default.OciSpec);
        if (spec is null || spec.Linux.Namespaces.Any(n => n.Type == "user"))
        {
            return null;
        }

        byte[]? bpf = null;
        if (spec.Linux.Seccomp is { } seccomp)
        {
            try
            {
                bpf = LoadOrCompile(bundleDir, seccomp);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException or NotSupportedException)
            {
                return null;
            }
        }

        int pidfd;
        try
        {
            pidfd = ThreadIsolation.OpenPidFd(containerPid);
        }
        catch (ErrnoException e) when (e.Errno == Libc.ESRCH)
        {
            throw new ExecStartException(StartFailed + "container process is gone");
        }

        try
        {
            // Read after the pidfd pins the process: a pid recycled before it would fail the join below.
            var tasks = CgroupTasks.ForProcess(containerPid);
            if (tasks is null)
            {
                Fd.Close(pidfd);
                return null;
            }

            return new Plan(process, pidfd, tasks, bpf);
        }
        catch
        {
            Fd.Close(pidfd);
            throw;
        }
    }

    /// <summary>
    /// Starts the process. Without a terminal it gets <paramref name="stdin"/>,
    /// <paramref name="stdout"/> and <paramref name="stderr"/>; with one, the pty master is returned. Failures that runc reports for the same mistake (no such binary, bad
    /// working directory) come back as <see cref="ExecStartException"/> with runc's wording.
    /// </summary>
    public static (int Pid, int PtyMaster) Start(Plan plan, int stdin = 0, int stdout = 1, int stderr = 2)
    {
        ArgumentNullException.ThrowIfNull(plan);
        ThreadIsolation.MakeProcessNotDumpable();
        SetRlimits(plan.Process.Rlimits);
        (int, int) result = default;
        Exception? error = null;

        // The thread is spent afterwards (other user, dropped capabilities, seccomp): it ends here.
        var thread = new Thread(
            () =>
            {
                try
                {
                    result = StartOnThisThread(plan, stdin, stdout, stderr);
                }
                catch (Exception e)
                {
                    error = e;
                }
            },
            256 * 1024)
        { IsBackground = true, Name = "exec-start" };
        thread.Start();
        thread.Join();
        Fd.Close(plan.PidFd);
        return error is null ? result : throw (error is ExecStartException ? error : new ExecStartException(StartFailed + GoStyle(error.Message), error));
    }

    private static (int Pid, int PtyMaster) StartOnThisThread(Plan plan, int stdin, int stdout, int stderr)
    {
        var p = plan.Process;
        if (ThreadIsolation.ProcessIsDumpable)
        {
            // Never enter with a dumpable memory map: see ThreadIsolation.MakeProcessNotDumpable.
            throw new ExecStartException(StartFailed + "the monitor is dumpable; refusing to enter the container");
        }

        CgroupTasks.JoinCurrentThread(plan.Cgroups);
        ThreadIsolation.EnterNamespaces(plan.PidFd);
        if (Libc.chdir(p.Cwd) != 0)
        {
            throw new ExecStartException($"{StartFailed}chdir to cwd (\"{p.Cwd}\") set in config.json failed: {ErrnoText(Marshal.GetLastPInvokeError())}");
        }

        var path = LookPath(p.Args[0], p.Env);
        int master = -1;
        string? slave = null;
        if (p.Terminal)
        {
            (master, slave) = ContainerPty.Open();
        }

        try
        {
            if (p.NoNewPrivileges)
            {
                ThreadIsolation.SetNoNewPrivileges();
            }
            else if (plan.SeccompBpf is { } early)
            {
                // Without no_new_privs the kernel wants CAP_SYS_ADMIN to load a filter: before the drop.
                SeccompProgram.LoadOnCurrentThread(early);
            }

            var caps = p.Capabilities;
            ThreadIsolation.SetCredentials(
                p.User.Uid,
                p.User.Gid,
                (p.User.AdditionalGids ?? []).ToArray(),
                CapabilityMask(caps?.Bounding),
                CapabilityMask(caps?.Effective),
                CapabilityMask(caps?.Permitted),
                0);
            if (p.NoNewPrivileges && plan.SeccompBpf is { } late)
            {
                SeccompProgram.LoadOnCurrentThread(late);
            }

            ChildProcess child;
            try
            {
                child = Spawn.Start(new SpawnOptions
                {
                    Path = path,
                    ArgumentZero = p.Args[0],
                    Args = p.Args.Skip(1).ToList(),
                    Environment = p.Env,
                    Fds = slave is null ? [(0, stdin), (1, stdout), (2, stderr)] : [],
                    NewSession = slave is not null,
                    TerminalPath = slave,
                });
            }
            catch (ErrnoException e)
            {
                throw new ExecStartException($"{StartFailed}exec: \"{p.Args[0]}\": {ErrnoText(e.Errno)}");
            }

            return (child.Pid, master);
        }
        catch
        {
            CloseIfOpen(master);
            throw;
        }
    }

    /// <summary>
    /// On hybrid hosts: moves the started process into the container's v2 cgroup too. A whole
    /// process move waits for an RCU grace period, so callers do this after reporting the start;
    /// that hierarchy holds no limits (hugetlb accounting at most).
    /// </summary>
    public static void JoinUnifiedCgroup(Plan plan, int pid)
    {
        ArgumentNullException.ThrowIfNull(plan);
        try
        {
            CgroupTasks.JoinProcess(plan.Cgroups, pid);
        }
        catch (IOException)
        {
            // The process already ended; its exit is reported as usual.
        }
    }

    /// <summary>runc's resolution: a name with a slash is used as is, others are searched in the process's PATH.</summary>
    private static string LookPath(string name, IReadOnlyList<string> env)
    {
        if (name.Contains('/', StringComparison.Ordinal))
        {
            var (status, errno) = PosixFiles.TryStat(name);
            if (status is null)
            {
                throw new ExecStartException($"{StartFailed}exec: \"{name}\": stat {name}: {ErrnoText(errno)}");
            }

            return IsExecutable(status.Value) ? name : throw new ExecStartException($"{StartFailed}exec: \"{name}\": permission denied");
        }

        var pathVar = env.LastOrDefault(e => e.StartsWith("PATH=", StringComparison.Ordinal))?[5..] ?? string.Empty;
        foreach (var dir in pathVar.Split(':'))
        {
            var candidate = (dir.Length == 0 ? "." : dir) + "/" + name;
            if (PosixFiles.TryStat(candidate).Status is { } st && IsExecutable(st))
            {
                return candidate;
            }
        }

        throw new ExecStartException($"{StartFailed}exec: \"{name}\": executable file not found in $PATH");
    }

    private static bool IsExecutable(FileStatus status) => !status.IsDirectory && (status.Permissions & 0x49) != 0;

    private static int IndexOf(IReadOnlyList<string> list, string name)
    {
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i] == name)
            {
                return i;
            }
        }

        return -1;
    }

    private static ulong CapabilityMask(IEnumerable<string>? names)
    {
        ulong mask = 0;
        foreach (var name in names ?? [])
        {
            var bit = IndexOf(Capabilities.All, name);
            if (bit >= 0)
            {
                mask |= 1UL << bit;
            }
        }

        return mask;
    }

    /// <summary>rlimits are per process: set on this (dedicated) monitor, the spawned process inherits them.</summary>
    private static void SetRlimits(IEnumerable<OciRlimit>? rlimits)
    {
        foreach (var r in rlimits ?? [])
        {
            var resource = ResourceLimits.Resource(r.Type);
            if (resource < 0)
            {
                throw new ExecStartException($"{StartFailed}unknown rlimit type {r.Type}");
            }

            try
            {
                ResourceLimits.SetForCurrentProcess(resource, r.Soft, r.Hard);
            }
            catch (ErrnoException e)
            {
                throw new ExecStartException(StartFailed + GoStyle(e.Message), e);
            }
        }
    }

    private static byte[] LoadOrCompile(string bundleDir, OciSeccomp seccomp)
    {
        var cache = Path.Combine(bundleDir, BpfCacheFile);
        try
        {
            return File.ReadAllBytes(cache);
        }
        catch (FileNotFoundException)
        {
        }

        var bpf = SeccompBpf.Compile(seccomp);
        var temp = cache + "." + Environment.ProcessId.ToString(CultureInfo.InvariantCulture);
        File.WriteAllBytes(temp, bpf);
        File.Move(temp, cache, overwrite: true);
        return bpf;
    }

    private static void CloseIfOpen(int fd)
    {
        if (fd >= 0)
        {
            Fd.Close(fd);
        }
    }

    private static string ErrnoText(int errno) => GoStyle(Marshal.GetPInvokeErrorMessage(errno));

    /// <summary>strerror text in Go's lower-case form, as runc prints it.</summary>
    private static string GoStyle(string message) =>
        message.Length > 0 && char.IsUpper(message[0]) && (message.Length == 1 || !char.IsUpper(message[1]))
            ? char.ToLowerInvariant(message[0]) + message[1..]
            : message;

    /// <summary>What <see cref="Start"/> needs, gathered on the host side.</summary>
    public sealed record Plan(OciProcess Process, int PidFd, CgroupPlacement Cgroups, byte[]? SeccompBpf);
}

/// <summary>The exec process could not be started; the message is the runtime's wording.</summary>
public sealed class ExecStartException : Exception
{
    public ExecStartException()
    {
    }

    public ExecStartException(string message)
        : base(message)
    {
    }

    public ExecStartException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
