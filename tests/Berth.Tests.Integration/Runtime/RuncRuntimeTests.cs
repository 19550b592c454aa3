using System.Diagnostics;
using System.Text;
using Berth.Core.Errors;
using Berth.Runtime;
using Xunit.Abstractions;

namespace Berth.Tests.Integration.Runtime;

public sealed class RuncRuntimeTests : IClassFixture<RuntimeTestEnvironment>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly RuntimeTestEnvironment _env;
    private readonly ITestOutputHelper _output;

    public RuncRuntimeTests(RuntimeTestEnvironment env, ITestOutputHelper output)
    {
        _env = env;
        _output = output;
    }

    private IContainerRuntime Runtime => _env.Runtime;

    [Fact]
    public async Task Run_WritesStdoutAndStderrToJsonLog_AndReportsExitCode()
    {
        var id = RuntimeTestEnvironment.NewId();
        var started = await Runtime.StartAsync(_env.Launch(id, "sh", "-c", "echo hello; echo oops >&2; exit 3"), CancellationToken.None);
        Assert.True(started.Pid > 0);

        var exit = await Runtime.WaitAsync(id, CancellationToken.None).WaitAsync(Timeout);
        Assert.Equal(3, exit.ExitCode);
        Assert.False(exit.OomKilled);

        var entries = new List<LogEntry>();
        await foreach (var e in Runtime.ReadLogsAsync(id, new LogReadOptions(), CancellationToken.None))
        {
            entries.Add(e);
        }

        Assert.Contains(entries, e => e.Stream == OutputStream.Stdout && Encoding.UTF8.GetString(e.Line.Span) == "hello\n");
        Assert.Contains(entries, e => e.Stream == OutputStream.Stderr && Encoding.UTF8.GetString(e.Line.Span) == "oops\n");
        var raw = await File.ReadAllTextAsync(Path.Combine(_env.Options.ContainersDir, id, id + "-json.log"));
        Assert.Matches("^\\{\"log\":\"(hello|oops)\\\\n\",\"stream\":\"std(out|err)\",\"time\":\"\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z\"\\}\n", raw);

        var status = await Runtime.GetStatusAsync(id, CancellationToken.None);
        Assert.Equal(RuntimeState.Stopped, status!.State);
        await Runtime.DeleteAsync(id, CancellationToken.None);
        Assert.Null(await Runtime.GetStatusAsync(id, CancellationToken.None));
        Assert.False(Directory.Exists(Path.Combine(_env.Options.ExecRoot, "containers", id)));

        // Logs stay readable after the runtime state is gone (they live in the data dir).
        Assert.Contains("hello", await _env.ReadLogTextAsync(Runtime, id));
    }

    [Fact]
    public async Task MissingExecutable_FailsWithDockersMessage()
    {
        var id = RuntimeTestEnvironment.NewId();
        var e = await Assert.ThrowsAsync<BerthException>(() => Runtime.StartAsync(_env.Launch(id, "nosuchcmd"), CancellationToken.None));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Equal(
            "failed to create shim task: OCI runtime create failed: runc create failed: unable to start container process: exec: \"nosuchcmd\": executable file not found in $PATH: unknown",
            e.Message);
        Assert.Null(await Runtime.GetStatusAsync(id, CancellationToken.None));
    }

    [Fact]
    public async Task UnknownRuntime_AndAbsentCrun_FailClearly()
    {
        var e = await Assert.ThrowsAsync<BerthException>(() => Runtime.StartAsync(_env.Launch(RuntimeTestEnvironment.NewId(), "true") with { Runtime = "nope" }, CancellationToken.None));
        Assert.Equal("unknown or invalid runtime name: nope", e.Message);

        var crun = await Assert.ThrowsAsync<BerthException>(() => Runtime.StartAsync(_env.Launch(RuntimeTestEnvironment.NewId(), "true") with { Runtime = "crun" }, CancellationToken.None));
        Assert.Contains("crun", crun.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Kill_ReportsSignalExitCodes_ThroughInit()
    {
        var id = RuntimeTestEnvironment.NewId();
        await Runtime.StartAsync(_env.Launch(id, "sleep", "1000") with { Init = true }, CancellationToken.None);
        Assert.Equal(RuntimeState.Running, (await Runtime.GetStatusAsync(id, CancellationToken.None))!.State);

        // PID 1 ignores signals it has no handler for: wait until tini runs its child (and so
        // has its handlers) before asking it to forward SIGTERM.
        for (var i = 0; i < 200 && (await Runtime.ListPidsAsync(id, CancellationToken.None)).Count < 2; i++)
        {
            await Task.Delay(10);
        }

        await Runtime.KillAsync(id, 15, CancellationToken.None);
        Assert.Equal(143, (await Runtime.WaitAsync(id, CancellationToken.None).WaitAsync(Timeout)).ExitCode);
        await Assert.ThrowsAsync<BerthException>(() => Runtime.KillAsync(id, 9, CancellationToken.None));
        await Runtime.DeleteAsync(id, CancellationToken.None);

        var id2 = RuntimeTestEnvironment.NewId();
        await Runtime.StartAsync(_env.Launch(id2, "sleep", "1000"), CancellationToken.None);
        await Runtime.KillAsync(id2, 9, CancellationToken.None);
        Assert.Equal(137, (await Runtime.WaitAsync(id2, CancellationToken.None).WaitAsync(Timeout)).ExitCode);
        await Runtime.DeleteAsync(id2, CancellationToken.None);
    }

    [Fact]
    public async Task Exec_RunsInContainer_WithOutputAndExitCode()
    {
        var id = RuntimeTestEnvironment.NewId();
        await Runtime.StartAsync(_env.Launch(id, "sleep", "1000"), CancellationToken.None);
        try
        {
            await using (var exec = await Runtime.ExecAsync(id, new ExecLaunch { Args = ["sh", "-c", "echo out-$(hostname); echo err >&2; exit 5"] }, CancellationToken.None))
            {
                var (stdout, stderr) = await CollectAsync(exec.ReadOutputAsync(CancellationToken.None));
                Assert.Equal("out-" + id[..12] + "\n", stdout);
                Assert.Equal("err\n", stderr);
                Assert.Equal(5, await exec.WaitAsync(CancellationToken.None).WaitAsync(Timeout));
            }

            await using (var exec = await Runtime.ExecAsync(id, new ExecLaunch { Args = ["cat"], AttachStdin = true }, CancellationToken.None))
            {
                var reading = CollectAsync(exec.ReadOutputAsync(CancellationToken.None));
                await exec.WriteInputAsync("ping\n"u8.ToArray(), CancellationToken.None);
                await exec.CloseInputAsync(CancellationToken.None);
                Assert.Equal("ping\n", (await reading.WaitAsync(Timeout)).Stdout);
                Assert.Equal(0, await exec.WaitAsync(CancellationToken.None).WaitAsync(Timeout));
            }

            await using (var exec = await Runtime.ExecAsync(id, new ExecLaunch { Args = ["sh", "-c", "tty; stty size"], Tty = true }, CancellationToken.None))
            {
                await exec.ResizeAsync(33, 101, CancellationToken.None);
                var (stdout, _) = await CollectAsync(exec.ReadOutputAsync(CancellationToken.None));
                Assert.Contains("/dev/pts/", stdout, StringComparison.Ordinal);
                Assert.Equal(0, await exec.WaitAsync(CancellationToken.None).WaitAsync(Timeout));
            }

            await using (var exec = await Runtime.ExecAsync(id, new ExecLaunch { Args = ["id", "-u"], User = "app" }, CancellationToken.None))
            {
                Assert.Equal("1000\n", (await CollectAsync(exec.ReadOutputAsync(CancellationToken.None))).Stdout);
            }

            var e = await Assert.ThrowsAsync<BerthException>(() => Runtime.ExecAsync(id, new ExecLaunch { Args = ["nosuch"] }, CancellationToken.None));
            Assert.Equal("OCI runtime exec failed: exec failed: unable to start container process: exec: \"nosuch\": executable file not found in $PATH: unknown", e.Message);
        }
        finally
        {
            await Runtime.DeleteAsync(id, CancellationToken.None);
        }
    }

    [Fact]
    public async Task Attach_DeliversOutput_AndStdin()
    {
        var id = RuntimeTestEnvironment.NewId();
        var launch = _env.Launch(id, "sh", "-c", "while read line; do echo got-$line; done; echo bye >&2");
        launch = launch with { Process = launch.Process with { OpenStdin = true } };
        await Runtime.StartAsync(launch, CancellationToken.None);
        await using var attachment = await Runtime.AttachAsync(id, CancellationToken.None);
        var reading = CollectAsync(attachment.ReadOutputAsync(CancellationToken.None));
        await attachment.WriteInputAsync("a\nb\n"u8.ToArray(), CancellationToken.None);
        await attachment.CloseInputAsync(CancellationToken.None);
        var (stdout, stderr) = await reading.WaitAsync(Timeout);
        Assert.Equal("got-a\ngot-b\n", stdout);
        Assert.Equal("bye\n", stderr);
        Assert.Equal(0, (await Runtime.WaitAsync(id, CancellationToken.None).WaitAsync(Timeout)).ExitCode);
        Assert.Equal("got-a\ngot-b\nbye\n".Length, (await _env.ReadLogTextAsync(Runtime, id)).Length);
        await Runtime.DeleteAsync(id, CancellationToken.None);
    }

    [Fact]
    public async Task Tty_Container_UsesPty_AndResizes()
    {
        var id = RuntimeTestEnvironment.NewId();
        var launch = _env.Launch(id, "sh", "-c", "sleep 0.5; tty; stty size");
        launch = launch with { Process = launch.Process with { Tty = true } };
        await Runtime.StartAsync(launch, CancellationToken.None);
        await Runtime.ResizeAsync(id, 40, 120, CancellationToken.None);
        Assert.Equal(0, (await Runtime.WaitAsync(id, CancellationToken.None).WaitAsync(Timeout)).ExitCode);
        var log = await _env.ReadLogTextAsync(Runtime, id);
        Assert.Contains("/dev/pts/0", log, StringComparison.Ordinal);
        Assert.Contains("40 120", log, StringComparison.Ordinal);
        await Runtime.DeleteAsync(id, CancellationToken.None);
    }

    [Fact]
    public async Task PauseResume_StatsAndPids()
    {
        var id = RuntimeTestEnvironment.NewId();
        await Runtime.StartAsync(_env.Launch(id, "sh", "-c", "sleep 1000 & sleep 1000"), CancellationToken.None);
        try
        {
            var pids = await Runtime.ListPidsAsync(id, CancellationToken.None);
            Assert.True(pids.Count >= 2, $"pids: {string.Join(',', pids)}");

            var stats = await Runtime.GetStatsAsync(id, CancellationToken.None);
            Assert.True(stats.MemoryUsage > 0);
            Assert.True(stats.PidsCurrent >= 2);
            Assert.True(stats.CpuTotalNanos > 0);
            Assert.True(stats.SystemCpuNanos > 0);
            Assert.DoesNotContain("lo", stats.Networks.Keys);

            await Runtime.PauseAsync(id, CancellationToken.None);
            Assert.Equal(RuntimeState.Paused, (await Runtime.GetStatusAsync(id, CancellationToken.None))!.State);
            await Runtime.ResumeAsync(id, CancellationToken.None);
            Assert.Equal(RuntimeState.Running, (await Runtime.GetStatusAsync(id, CancellationToken.None))!.State);

            await Runtime.UpdateAsync(id, new ContainerResources { Memory = 64L << 20, PidsLimit = 50 }, CancellationToken.None);
            stats = await Runtime.GetStatsAsync(id, CancellationToken.None);
            Assert.Equal(64UL << 20, stats.MemoryLimit);
            Assert.Equal(50UL, stats.PidsLimit);
        }
        finally
        {
            await Runtime.DeleteAsync(id, CancellationToken.None);
        }
    }

    [Fact]
    public async Task MemoryHog_IsOomKilled()
    {
        var id = RuntimeTestEnvironment.NewId();
        var launch = _env.Launch(id, "sh", "-c", "x=aaaaaaaaaaaaaaaa; while true; do x=$x$x; done") with
        {
            Resources = new ContainerResources { Memory = 8L << 20 },
        };
        await Runtime.StartAsync(launch, CancellationToken.None);
        var exit = await Runtime.WaitAsync(id, CancellationToken.None).WaitAsync(Timeout);
        Assert.True(exit.OomKilled);
        Assert.Equal(137, exit.ExitCode);
        await Runtime.DeleteAsync(id, CancellationToken.None);
    }

    [Fact]
    public async Task SecurityDefaults_AsDocker()
    {
        var id = RuntimeTestEnvironment.NewId();
        var script = "grep CapEff /proc/self/status; touch /proc/sys/x 2>/dev/null || echo procsys-ro; id; hostname";
        var launch = _env.Launch(id, "sh", "-c", script);
        launch = launch with { Process = launch.Process with { User = "app", AdditionalGroups = ["65534"] } };
        await Runtime.StartAsync(launch, CancellationToken.None);
        Assert.Equal(0, (await Runtime.WaitAsync(id, CancellationToken.None).WaitAsync(Timeout)).ExitCode);
        var log = await _env.ReadLogTextAsync(Runtime, id);
        _output.WriteLine(log);

        // Docker's default capability set for a non-root user: effective is empty, but for root it is a80425fb.
        Assert.Contains("CapEff:\t0000000000000000", log, StringComparison.Ordinal);
        Assert.Contains("procsys-ro", log, StringComparison.Ordinal);
        // As dockerd: the primary group is among the supplementary groups (the kernel lists them sorted).
        Assert.Contains("uid=1000(app) gid=1000(app) groups=10(wheel),1000(app),65534(nogroup)", log, StringComparison.Ordinal);
        Assert.Contains(id[..12], log, StringComparison.Ordinal);
        await Runtime.DeleteAsync(id, CancellationToken.None);

        var rootId = RuntimeTestEnvironment.NewId();
        await Runtime.StartAsync(_env.Launch(rootId, "sh", "-c", "grep CapEff /proc/self/status; echo keys=$(wc -c < /proc/keys); touch /x && echo wrote") with { ReadonlyRootfs = true }, CancellationToken.None);
        await Runtime.WaitAsync(rootId, CancellationToken.None).WaitAsync(Timeout);
        var rootLog = await _env.ReadLogTextAsync(Runtime, rootId);
        Assert.Contains("CapEff:\t00000000a80425fb", rootLog, StringComparison.Ordinal);
        Assert.DoesNotContain("wrote", rootLog, StringComparison.Ordinal);
        Assert.Contains("keys=0", rootLog, StringComparison.Ordinal);
        await Runtime.DeleteAsync(rootId, CancellationToken.None);

        var unknown = RuntimeTestEnvironment.NewId();
        var bad = _env.Launch(unknown, "true");
        var e = await Assert.ThrowsAsync<BerthException>(() => Runtime.StartAsync(bad with { Process = bad.Process with { User = "ghost" } }, CancellationToken.None));
        Assert.Equal("unable to find user ghost: no matching entries in passwd file", e.Message);
    }

    [Fact]
    public async Task Monitor_SurvivesDaemonRestart_LogsHaveNoGap()
    {
        var id = RuntimeTestEnvironment.NewId();
        await Runtime.StartAsync(_env.Launch(id, "sh", "-c", "i=0; while [ $i -lt 30 ]; do echo line-$i; i=$((i+1)); sleep 0.05; done; exit 7"), CancellationToken.None);
        var exited = RuntimeTestEnvironment.NewId();
        await Runtime.StartAsync(_env.Launch(exited, "sh", "-c", "sleep 0.3; exit 4"), CancellationToken.None);

        // A second runtime instance over the same exec-root plays the restarted daemon.
        var restarted = new RuncRuntime(_env.Options);
        var recovered = await restarted.RecoverAsync(CancellationToken.None);
        Assert.Contains(id, recovered);
        Assert.Contains(exited, recovered);

        var followed = new StringBuilder();
        await foreach (var e in restarted.ReadLogsAsync(id, new LogReadOptions { Follow = true }, CancellationToken.None).WithCancellation(new CancellationTokenSource(Timeout).Token))
        {
            followed.Append(Encoding.UTF8.GetString(e.Line.Span));
        }

        Assert.Equal(7, (await restarted.WaitAsync(id, CancellationToken.None).WaitAsync(Timeout)).ExitCode);
        Assert.Equal(4, (await restarted.WaitAsync(exited, CancellationToken.None).WaitAsync(Timeout)).ExitCode);
        var expected = string.Concat(Enumerable.Range(0, 30).Select(i => $"line-{i}\n"));
        Assert.Equal(expected, followed.ToString());
        Assert.Equal(expected, await _env.ReadLogTextAsync(restarted, id));
        await restarted.DeleteAsync(id, CancellationToken.None);
        await restarted.DeleteAsync(exited, CancellationToken.None);
    }

    [Fact]
    public async Task Exec_WorksAfterRestart_OnContainerStartedBefore()
    {
        var id = RuntimeTestEnvironment.NewId();
        await Runtime.StartAsync(_env.Launch(id, "sleep", "1000"), CancellationToken.None);
        var restarted = new RuncRuntime(_env.Options);
        Assert.Contains(id, await restarted.RecoverAsync(CancellationToken.None));
        await using (var exec = await restarted.ExecAsync(id, new ExecLaunch { Args = ["echo", "after"] }, CancellationToken.None))
        {
            Assert.Equal("after\n", (await CollectAsync(exec.ReadOutputAsync(CancellationToken.None))).Stdout);
        }

        await restarted.KillAsync(id, 9, CancellationToken.None);
        Assert.Equal(137, (await restarted.WaitAsync(id, CancellationToken.None).WaitAsync(Timeout)).ExitCode);
        await restarted.DeleteAsync(id, CancellationToken.None);
    }

    [Fact]
    public async Task Measure_StartLatency_MonitorMemory()
    {
        var times = new List<double>();
        for (var i = 0; i < 8; i++)
        {
            var id = RuntimeTestEnvironment.NewId();
            var launch = _env.Launch(id, "true");
            var sw = Stopwatch.StartNew();
            await Runtime.StartAsync(launch, CancellationToken.None);
            times.Add(sw.Elapsed.TotalMilliseconds);
            await Runtime.WaitAsync(id, CancellationToken.None).WaitAsync(Timeout);
            await Runtime.DeleteAsync(id, CancellationToken.None);
        }

        times.Sort();
        _output.WriteLine($"StartAsync(true): median {times[times.Count / 2]:F1} ms, min {times[0]:F1} ms, max {times[^1]:F1} ms");

        var sleeper = RuntimeTestEnvironment.NewId();
        await Runtime.StartAsync(_env.Launch(sleeper, "sleep", "1000"), CancellationToken.None);
        var shimPid = int.Parse(await File.ReadAllTextAsync(Path.Combine(_env.Options.ExecRoot, "containers", sleeper, "shim.pid")), System.Globalization.CultureInfo.InvariantCulture);
        var status = await File.ReadAllLinesAsync($"/proc/{shimPid}/status");
        var rss = status.First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal));
        var anon = status.First(l => l.StartsWith("RssAnon:", StringComparison.Ordinal));
        var pss = (await File.ReadAllLinesAsync($"/proc/{shimPid}/smaps_rollup")).First(l => l.StartsWith("Pss:", StringComparison.Ordinal));
        _output.WriteLine($"monitor: {rss.Replace('\t', ' ')}, {anon.Replace('\t', ' ')}, {pss}");
        var rssKb = long.Parse(rss.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture);

        // The budget holds for the Native AOT monitor; a framework-dependent debug build (a
        // berth-shim.dll beside it) carries the JIT and is only checked for working.
        if (!File.Exists(Path.Combine(Path.GetDirectoryName(_env.Options.ShimPath)!, "berth-shim.dll")))
        {
            Assert.True(rssKb < 8 * 1024, rss);
        }
        await Runtime.DeleteAsync(sleeper, CancellationToken.None);
    }

    [Fact]
    public async Task LogThroughput_200MB()
    {
        var id = RuntimeTestEnvironment.NewId();
        var line = new string('x', 999);
        var sw = Stopwatch.StartNew();
        await Runtime.StartAsync(_env.Launch(id, "sh", "-c", $"yes {line} | head -c 200000000; sleep 1"), CancellationToken.None);

        // While the container sleeps after writing, the monitor's CPU time and memory show what
        // moving 200 MB into the log cost it.
        var logPath = Path.Combine(_env.Options.ContainersDir, id, id + "-json.log");
        while (!File.Exists(logPath) || new FileInfo(logPath).Length < 200_000_000L + (200_000L * 60))
        {
            await Task.Delay(10);
            Assert.True(sw.Elapsed < TimeSpan.FromMinutes(2));
        }

        var write = sw.Elapsed;
        var shimPid = await File.ReadAllTextAsync(Path.Combine(_env.Options.ExecRoot, "containers", id, "shim.pid"));
        var stat = (await File.ReadAllTextAsync($"/proc/{shimPid}/stat")).Split(')')[1].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var cpuMs = (long.Parse(stat[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(stat[12], System.Globalization.CultureInfo.InvariantCulture)) * 10;
        var rss = (await File.ReadAllLinesAsync($"/proc/{shimPid}/status")).First(l => l.StartsWith("VmRSS:", StringComparison.Ordinal)).Replace('\t', ' ');
        _output.WriteLine($"monitor after 200 MB: cpu {cpuMs} ms, {rss}");
        Assert.Equal(0, (await Runtime.WaitAsync(id, CancellationToken.None).WaitAsync(TimeSpan.FromMinutes(2))).ExitCode);

        sw.Restart();
        long bytes = 0, lines = 0;
        await foreach (var e in Runtime.ReadLogsAsync(id, new LogReadOptions(), CancellationToken.None))
        {
            bytes += e.Line.Length;
            lines++;
        }

        var read = sw.Elapsed;
        _output.WriteLine($"200 MB through the monitor: start to last byte on disk {write.TotalMilliseconds:F0} ms; ReadLogsAsync {read.TotalMilliseconds:F0} ms ({lines} lines)");
        Assert.Equal(200_000_000, bytes);
        Assert.Equal(200_000, lines);

        sw.Restart();
        var tail = 0;
        await foreach (var e in Runtime.ReadLogsAsync(id, new LogReadOptions { Tail = 10 }, CancellationToken.None))
        {
            tail++;
        }

        _output.WriteLine($"tail 10: {sw.Elapsed.TotalMilliseconds:F1} ms");
        Assert.Equal(10, tail);
        await Runtime.DeleteAsync(id, CancellationToken.None);
    }

    internal static async Task<(string Stdout, string Stderr)> CollectAsync(IAsyncEnumerable<OutputChunk> chunks)
    {
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        await foreach (var c in chunks)
        {
            (c.Stream == OutputStream.Stderr ? stderr : stdout).Append(Encoding.UTF8.GetString(c.Data.Span));
        }

        return (stdout.ToString(), stderr.ToString());
    }
}
