using System.Globalization;
using Berth.Platform.Isolation;
using Berth.Platform.Native;
using Berth.Platform.Processes;
using Berth.Platform.Sockets;
using System.Text.Json;
using Berth.Runtime.Monitor;
using Berth.Runtime.Oci;

namespace Berth.Shim;

/// <summary>
/// Starts one exec process, in the container's namespaces directly (<see cref="NamespaceExec"/>)
/// or, where that does not apply, with `runc exec -d` as its subreaper, and reports on fd 3: "P pid", then "X exitcode" (or
/// "E message" when the process could not start). Without a TTY the process gets fds 0–2 directly
/// (no copying); with a TTY the pty master is received over the console socket and copied to
/// fd 1 / from fd 0, and "rows cols" lines on fd 4 resize it.
/// </summary>
internal static class ExecMonitor
{
    private const int StatusFd = 3;
    private const int ControlFd = 4;

    // args: runtime root id process.json state-prefix tty container-pid bundle-dir direct|via-runtime
    public static int Run(string[] args)
    {
        if (args.Length != 9 || !int.TryParse(args[6], CultureInfo.InvariantCulture, out var containerPid))
        {
            Status("E berth-shim exec: bad arguments");
            return 2;
        }

        var (runtime, root, id, processJson, prefix, tty) = (args[0], args[1], args[2], args[3], args[4], args[5] == "1");
        try
        {
            // Before anything of the container is touched: nothing in this process may be opened
            // through /proc by the container's root (ThreadIsolation.MakeProcessNotDumpable).
            ThreadIsolation.MakeProcessNotDumpable();
            Subreaper.Become();
            var process = JsonSerializer.Deserialize(File.ReadAllBytes(processJson), OciJsonContext.Default.OciProcess)
                ?? throw new InvalidDataException("empty process.json");
            NamespaceExec.Plan? plan;
            try
            {
                plan = NamespaceExec.Prepare(args[7], process, containerPid, viaRuntime: args[8] == "via-runtime");
            }
            catch (ExecStartException e)
            {
                Status("E " + e.Message);
                return 1;
            }

            return plan is null ? RunWithRuntime(runtime, root, id, processJson, prefix, tty) : RunInNamespaces(plan);
        }
        catch (Exception e)
        {
            Status("E monitor: " + e.Message);
            return 1;
        }
        finally
        {
            TryDelete(prefix + ".pid");
            TryDelete(prefix + ".log");
            TryDelete(processJson);
        }
    }

    private static int RunInNamespaces(NamespaceExec.Plan plan)
    {
        int pid, master;
        try
        {
            (pid, master) = NamespaceExec.Start(plan);
        }
        catch (ExecStartException e)
        {
            Status("E " + e.Message);
            return 1;
        }

        return Supervise(pid, master >= 0 ? master : null, () => NamespaceExec.JoinUnifiedCgroup(plan, pid));
    }

    private static int RunWithRuntime(string runtime, string root, string id, string processJson, string prefix, bool tty)
    {
        var devNull = Fd.OpenDevNull();
        var runcArgs = new List<string>
        {
            "--root", root, "--log", prefix + ".log", "--log-format", "json",
            "exec", "-d", "--pid-file", prefix + ".pid", "--process", processJson,
        };
        ConsoleSocket? console = null;
        if (tty)
        {
            console = ConsoleSocket.Listen(prefix + ".c");
            runcArgs.Add("--console-socket");
            runcArgs.Add(console.Path);
        }

        runcArgs.Add(id);
        var fds = tty ? new[] { (0, devNull), (1, devNull), (2, devNull) } : new[] { (0, 0), (1, 1), (2, 2) };
        var runc = Spawn.Start(new SpawnOptions { Path = runtime, Args = runcArgs, Fds = fds });
        var code = runc.Wait();
        if (code != 0)
        {
            console?.Dispose();
            Status("E " + (RuncLog.LastError(prefix + ".log") ?? $"{Path.GetFileName(runtime)} exec exited with status {code}"));
            return 1;
        }

        var pid = int.Parse(File.ReadAllText(prefix + ".pid").Trim(), CultureInfo.InvariantCulture);
        int? received = null;
        if (console is not null)
        {
            received = console.ReceiveFd();
            console.Dispose();
        }

        return Supervise(pid, received, null);
    }

    /// <summary>Copies the terminal (if any), reports the pid, waits for the process and reports its exit.</summary>
    private static int Supervise(int pid, int? ptyMaster, Action? joinLater)
    {
        Thread? output = null;
        if (ptyMaster is { } master)
        {
            output = Copy(master, 1);
            _ = Copy(0, master);
            var control = new Thread(() => ResizeLoop(master), 64 * 1024) { IsBackground = true };
            control.Start();
        }

        Status("P " + pid.ToString(CultureInfo.InvariantCulture));
        if (ptyMaster is null)
        {
            var devNull = Fd.OpenDevNull();
            // Only the process should hold the daemon's pipes now, so EOF means it is done.
            _ = Libc.dup2(devNull, 0);
            _ = Libc.dup2(devNull, 1);
            _ = Libc.dup2(devNull, 2);
        }

        // Only for a process still running after 100 ms: the v2 move holds the kernel's cgroup
        // lock for a grace period (~10 ms), which a `true` or `ls` has no use for. Not yet
        // reaped, the pid cannot have been reused.
        if (joinLater is not null && !PidFd.WaitForExit(pid, TimeSpan.FromMilliseconds(100)))
        {
            joinLater();
        }

        var status = 255 << 8;
        while (true)
        {
            var (reaped, st) = Subreaper.WaitAny();
            if (reaped == pid)
            {
                status = st;
                break;
            }

            if (reaped < 0)
            {
                break;
            }
        }

        _ = output?.Join(TimeSpan.FromSeconds(2));
        Status("X " + WaitStatus.ToExitCode(status).ToString(CultureInfo.InvariantCulture));
        return 0;
    }

    private static Thread Copy(int from, int to)
    {
        var t = new Thread(
            () =>
            {
                var buffer = new byte[32 * 1024];
                try
                {
                    while (true)
                    {
                        var n = Fd.Read(from, buffer);
                        if (n == 0)
                        {
                            return;
                        }

                        Fd.WriteAll(to, buffer.AsSpan(0, n));
                    }
                }
                catch (ErrnoException)
                {
                }
            },
            128 * 1024)
        { IsBackground = true };
        t.Start();
        return t;
    }

    private static void ResizeLoop(int master)
    {
        var buffer = new byte[256];
        var pending = string.Empty;
        try
        {
            while (true)
            {
                var n = Fd.Read(ControlFd, buffer);
                if (n == 0)
                {
                    return;
                }

                pending += System.Text.Encoding.ASCII.GetString(buffer, 0, n);
                int nl;
                while ((nl = pending.IndexOf('\n', StringComparison.Ordinal)) >= 0)
                {
                    var parts = pending[..nl].Split(' ');
                    pending = pending[(nl + 1)..];
                    if (parts.Length == 2 && int.TryParse(parts[0], CultureInfo.InvariantCulture, out var rows)
                        && int.TryParse(parts[1], CultureInfo.InvariantCulture, out var cols))
                    {
                        try
                        {
                            Fd.SetWindowSize(master, rows, cols);
                        }
                        catch (ErrnoException)
                        {
                        }
                    }
                }
            }
        }
        catch (ErrnoException)
        {
        }
    }

    private static void Status(string line)
    {
        try
        {
            Fd.WriteAll(StatusFd, System.Text.Encoding.UTF8.GetBytes(line.Replace('\n', ' ') + "\n"));
        }
        catch (ErrnoException)
        {
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
        }
    }
}
