using System.Globalization;
using Berth.Platform.Native;
using Berth.Platform.Processes;
using Berth.Platform.Sockets;
using Berth.Runtime.Monitor;

namespace Berth.Shim;

/// <summary>
/// Runs one `runc exec -d` as its subreaper and reports on fd 3: "P pid", then "X exitcode" (or
/// "E message" when the process could not start). Without a TTY the process gets fds 0–2 directly
/// (no copying); with a TTY the pty master is received over the console socket and copied to
/// fd 1 / from fd 0, and "rows cols" lines on fd 4 resize it.
/// </summary>
internal static class ExecMonitor
{
    private const int StatusFd = 3;
    private const int ControlFd = 4;

    // args: runtime root id process.json state-prefix tty
    public static int Run(string[] args)
    {
        if (args.Length != 6)
        {
            Status("E berth-shim exec: bad arguments");
            return 2;
        }

        var (runtime, root, id, processJson, prefix, tty) = (args[0], args[1], args[2], args[3], args[4], args[5] == "1");
        try
        {
            return RunCore(runtime, root, id, processJson, prefix, tty);
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

    private static int RunCore(string runtime, string root, string id, string processJson, string prefix, bool tty)
    {
        Subreaper.Become();
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
        Thread? output = null;
        if (console is not null)
        {
            var master = console.ReceiveFd();
            console.Dispose();
            output = Copy(master, 1);
            _ = Copy(0, master);
            var control = new Thread(() => ResizeLoop(master), 64 * 1024) { IsBackground = true };
            control.Start();
        }

        Status("P " + pid.ToString(CultureInfo.InvariantCulture));
        if (console is null)
        {
            // Only the process should hold the daemon's pipes now, so EOF means it is done.
            _ = Libc.dup2(devNull, 0);
            _ = Libc.dup2(devNull, 1);
            _ = Libc.dup2(devNull, 2);
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
