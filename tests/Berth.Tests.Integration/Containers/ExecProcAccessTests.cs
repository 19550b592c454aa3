using System.Diagnostics;
using System.Globalization;
using Berth.Platform.Files;
using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Containers;

/// <summary>
/// The monitor starts exec processes itself: a thread of it takes the container's namespaces and
/// credentials and spawns the process, which shares the monitor's memory until its execve. A root
/// process in the container has the same credentials, so unless the monitor is non-dumpable it
/// may open that process (and, with --pid=host, the monitor's thread) through /proc and read or
/// write the monitor's memory (the class of CVE-2016-9962). These tests attack as such a root
/// would. The window before execve is held open for as long as the test needs with a file lease
/// on the exec's binary: execve's open of the file waits for the lease holder (the test).
/// </summary>
public sealed class ExecProcAccessTests(ContainersDaemon fixture) : IClassFixture<ContainersDaemon>, IDisposable
{
    private const string HeldComm = "exec-start"; // the monitor's thread name, which its child carries until execve

    // Tries, over and over, to open every process it can see except itself (pid 1); writes
    // "pid what comm" for each open that worked, comm read while the descriptor is still open.
    private const string AttackLoop = """
        out=/hold/opened
        : > $out
        while [ ! -e /hold/stop ]; do
          for d in /proc/[0-9]*; do
            [ "$d" = /proc/1 ] && continue
            for w in mem environ exe root/.; do
              if { true 3< $d/$w; } 2>/dev/null; then
                c=; read c < $d/comm 2>/dev/null
                echo "${d#/proc/} $w $c" >> $out
              fi
            done
          done
        done
        echo done > /hold/finished
        """;

    // One pass over the given /proc directories: "dir what comm" for each open that worked.
    private const string Probe = """
        for d in "$@"; do
          for w in mem environ exe root/.; do
            if { true 3< $d/$w; } 2>/dev/null; then
              c=; read c < $d/comm 2>/dev/null
              echo "$d $w $c"
            fi
          done
        done
        echo probed
        """;

    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(2);
    private readonly BerthDaemon _d = fixture.Daemon;
    private readonly string _hold = Path.Combine(fixture.Daemon.Dir, "hold-" + Guid.NewGuid().ToString("N")[..8]);

    public void Dispose() => Directory.Delete(_hold, recursive: true);

    [Fact]
    public async Task Containers_root_cannot_open_an_exec_process_before_its_execve()
    {
        PrepareHoldDirectory();
        var name = "victim-" + Guid.NewGuid().ToString("N")[..8];
        var id = await _d.DockerOkAsync("run", "-d", "--name", name, "-v", _hold + ":/hold", "busybox", "sh", "/hold/attack.sh");
        await _d.DockerOkAsync("exec", "-d", name, "sleep", "1000");

        // Execs started over and over while the loop attacks, each with its short window.
        var churn = Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            for (var i = 0; i < 25; i++)
            {
                await _d.DockerOkAsync("exec", name, "true");
            }
        }));

        // One exec held in its window: the lease stops its execve at the open of the binary.
        using (var lease = FileLease.TakeWrite(Path.Combine(_hold, "prog")))
        {
            var held = _d.DockerAsync("exec", "-d", name, "/hold/prog");
            await UntilAsync(() => lease.IsBroken, "the held exec to reach its execve");
            var (_, child) = FindHeldExec(id);
            Assert.Equal(HeldComm, Comm(child));
            var inContainer = NamespacePid(child);

            var probe = await _d.DockerOkAsync("exec", name, "sh", "/hold/probe.sh", $"/proc/{inContainer}");
            Assert.Equal("probed", probe);

            // The window was open for the whole probe, and the loop has had a turn at it too.
            await UntilAsync(() => File.ReadAllText(Path.Combine(_hold, "opened")).Contains(" sleep\n", StringComparison.Ordinal), "the attack loop to open the sleeping exec");
            var passes = File.ReadAllLines(Path.Combine(_hold, "opened")).Length;
            await UntilAsync(() => File.ReadAllLines(Path.Combine(_hold, "opened")).Length > passes + 4, "the attack loop to go round again");
            Assert.Equal(HeldComm, Comm(child));
            Assert.False(held.IsCompleted);
            lease.Dispose();
            Assert.Equal(0, (await held.WaitAsync(Guard)).ExitCode);
        }

        await churn.WaitAsync(Guard);
        File.WriteAllText(Path.Combine(_hold, "stop"), string.Empty);
        await UntilAsync(() => File.Exists(Path.Combine(_hold, "finished")), "the attack loop to end");

        var opened = File.ReadAllLines(Path.Combine(_hold, "opened"));
        Assert.DoesNotContain(opened, l => l.EndsWith(" " + HeldComm, StringComparison.Ordinal));

        // The attack works where the kernel allows it: an exec'd process after its execve is the
        // container's own, dumpable again as with runc exec.
        Assert.Contains(opened, l => l.EndsWith(" mem sleep", StringComparison.Ordinal));
        await _d.DockerOkAsync("rm", "-f", name);
    }

    [Fact]
    public async Task With_the_hosts_pid_namespace_containers_root_cannot_open_the_monitor_or_its_child()
    {
        PrepareHoldDirectory();
        var name = "victim-" + Guid.NewGuid().ToString("N")[..8];
        var id = await _d.DockerOkAsync("run", "-d", "--name", name, "--pid=host", "-v", _hold + ":/hold", "busybox", "sleep", "1000");
        using (var lease = FileLease.TakeWrite(Path.Combine(_hold, "prog")))
        {
            var held = _d.DockerAsync("exec", "-d", name, "/hold/prog");
            await UntilAsync(() => lease.IsBroken, "the held exec to reach its execve");
            var (monitor, child) = FindHeldExec(id);

            // Every thread of the monitor, the one that took the container's credentials included.
            var targets = Directory.GetDirectories($"/proc/{monitor}/task").Select(t => $"/proc/{monitor}/task/{Path.GetFileName(t)}")
                .Append($"/proc/{monitor}").Append($"/proc/{child}").ToList();
            Assert.Contains(targets, t => Comm(t) == HeldComm);
            var probe = await _d.DockerOkAsync(["exec", name, "sh", "/hold/probe.sh", .. targets]);
            Assert.Equal("probed", probe);
            Assert.Equal(HeldComm, Comm(child));
            lease.Dispose();
            Assert.Equal(0, (await held.WaitAsync(Guard)).ExitCode);
        }

        await _d.DockerOkAsync("rm", "-f", name);
    }

    private void PrepareHoldDirectory()
    {
        Directory.CreateDirectory(_hold);
        File.WriteAllText(Path.Combine(_hold, "attack.sh"), AttackLoop + "\n");
        File.WriteAllText(Path.Combine(_hold, "probe.sh"), Probe + "\n");
        var prog = Path.Combine(_hold, "prog");
        File.WriteAllText(prog, "#!/bin/sh\nexit 0\n");
        File.SetUnixFileMode(prog, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
    }

    /// <summary>
    /// The child the exec monitor is spawning for this container (it has joined the container's
    /// cgroups and still carries the name of the monitor's thread) and that monitor, its parent.
    /// </summary>
    private static (int Monitor, int Child) FindHeldExec(string containerId)
    {
        foreach (var dir in Directory.GetDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), CultureInfo.InvariantCulture, out var pid)
                && Comm(pid) == HeldComm
                && TryRead($"{dir}/cgroup") is { } cgroups && cgroups.Contains(containerId, StringComparison.Ordinal)
                && TryRead($"{dir}/status") is { } status)
            {
                var ppid = status.Split('\n').Single(l => l.StartsWith("PPid:", StringComparison.Ordinal))[5..].Trim();
                var monitor = int.Parse(ppid, CultureInfo.InvariantCulture);
                Assert.Contains("berth-shim", TryRead($"/proc/{monitor}/cmdline") ?? string.Empty, StringComparison.Ordinal);
                return (monitor, pid);
            }
        }

        Assert.Fail("no exec of this container is held before its execve");
        return default;
    }

    private static int NamespacePid(int hostPid)
    {
        var line = File.ReadAllLines($"/proc/{hostPid}/status").Single(l => l.StartsWith("NSpid:", StringComparison.Ordinal));
        return int.Parse(line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[^1], CultureInfo.InvariantCulture);
    }

    private static string? Comm(int pid) => Comm($"/proc/{pid}");

    private static string? Comm(string procDir) => TryRead($"{procDir}/comm")?.TrimEnd('\n');

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static async Task UntilAsync(Func<bool> condition, string what)
    {
        var sw = Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(sw.Elapsed < Guard, $"timed out waiting for {what}");
            await Task.Delay(20);
        }
    }
}
