using Berth.Core.Errors;
using Berth.Runtime;
using Xunit.Abstractions;

namespace Berth.Tests.Integration.Runtime;

public sealed class RuncRuntimeMoreTests : IClassFixture<RuntimeTestEnvironment>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly RuntimeTestEnvironment _env;
    private readonly ITestOutputHelper _output;

    public RuncRuntimeMoreTests(RuntimeTestEnvironment env, ITestOutputHelper output)
    {
        _env = env;
        _output = output;
    }

    private IContainerRuntime Runtime => _env.Runtime;

    [Fact]
    public async Task JsonFile_RotatesWithMaxSizeAndMaxFile()
    {
        var id = RuntimeTestEnvironment.NewId();
        var launch = _env.Launch(id, "sh", "-c", "i=0; while [ $i -lt 200 ]; do echo line-$i; i=$((i+1)); done") with
        {
            LogOptions = new Dictionary<string, string> { ["max-size"] = "2k", ["max-file"] = "3" },
        };
        await Runtime.StartAsync(launch, CancellationToken.None);
        Assert.Equal(0, (await Runtime.WaitAsync(id, CancellationToken.None).WaitAsync(Timeout)).ExitCode);
        var dir = Path.GetDirectoryName(launch.LogPath)!;
        Assert.True(File.Exists(launch.LogPath + ".1"));
        Assert.True(File.Exists(launch.LogPath + ".2"));
        Assert.False(File.Exists(launch.LogPath + ".3"));
        Assert.All(Directory.GetFiles(dir), f => Assert.True(new FileInfo(f).Length < 2048 + 200, f));
        var text = await _env.ReadLogTextAsync(Runtime, id);
        Assert.EndsWith("line-199\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("line-0\n", text, StringComparison.Ordinal);
        await Runtime.DeleteAsync(id, CancellationToken.None);
    }

    [Fact]
    public async Task FollowFromStart_OfAShortLivedContainer_SeesAllOutput()
    {
        for (var i = 0; i < 5; i++)
        {
            var id = RuntimeTestEnvironment.NewId();
            var before = DateTimeOffset.UtcNow;
            await Runtime.StartAsync(_env.Launch(id, "echo", "hello"), CancellationToken.None);
            var text = await _env.ReadLogTextAsync(Runtime, id, new LogReadOptions { Follow = true, Since = before }).WaitAsync(Timeout);
            Assert.Equal("hello\n", text);
            await Runtime.DeleteAsync(id, CancellationToken.None);
        }
    }

    [Fact]
    public async Task LogDriverNone_WritesNothing_AndCannotBeRead()
    {
        var id = RuntimeTestEnvironment.NewId();
        var launch = _env.Launch(id, "echo", "hi") with { LogDriver = "none" };
        await Runtime.StartAsync(launch, CancellationToken.None);
        await Runtime.WaitAsync(id, CancellationToken.None).WaitAsync(Timeout);
        Assert.False(File.Exists(launch.LogPath));
        var e = await Assert.ThrowsAsync<BerthException>(() => _env.ReadLogTextAsync(Runtime, id));
        Assert.Equal("configured logging driver does not support reading", e.Message);
        await Runtime.DeleteAsync(id, CancellationToken.None);

        var bad = await Assert.ThrowsAsync<BerthException>(() => Runtime.StartAsync(_env.Launch(RuntimeTestEnvironment.NewId(), "true") with { LogDriver = "syslogx" }, CancellationToken.None));
        Assert.Equal("logger: no log driver named 'syslogx' is registered", bad.Message);
    }

    [Fact]
    public async Task Privileged_AndNetworkNone()
    {
        var id = RuntimeTestEnvironment.NewId();
        await Runtime.StartAsync(_env.Launch(id, "sh", "-c", "grep CapEff /proc/self/status; ls /dev | wc -l; cat /proc/net/dev | tail -n +3 | cut -d: -f1") with { Privileged = true }, CancellationToken.None);
        Assert.Equal(0, (await Runtime.WaitAsync(id, CancellationToken.None).WaitAsync(Timeout)).ExitCode);
        var log = await _env.ReadLogTextAsync(Runtime, id);
        _output.WriteLine(log);
        var hostBounding = File.ReadLines("/proc/self/status").First(l => l.StartsWith("CapBnd:", StringComparison.Ordinal))[7..].Trim();
        Assert.Contains("CapEff:\t" + hostBounding, log, StringComparison.Ordinal);
        var lines = log.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(int.Parse(lines[1].Trim(), System.Globalization.CultureInfo.InvariantCulture) > 15, "host devices visible");
        Assert.Equal(["lo"], lines.Skip(2).Select(l => l.Trim()));
        await Runtime.DeleteAsync(id, CancellationToken.None);
    }

    [Fact]
    public async Task KillPaused_WithSigkill_Thaws()
    {
        var id = RuntimeTestEnvironment.NewId();
        await Runtime.StartAsync(_env.Launch(id, "sleep", "1000"), CancellationToken.None);
        await Runtime.PauseAsync(id, CancellationToken.None);
        await Runtime.KillAsync(id, 9, CancellationToken.None);
        Assert.Equal(137, (await Runtime.WaitAsync(id, CancellationToken.None).WaitAsync(Timeout)).ExitCode);
        await Runtime.DeleteAsync(id, CancellationToken.None);
    }

    [Fact]
    public async Task Recover_CleansOrphans_AndKeepsLiveOnes()
    {
        var live = RuntimeTestEnvironment.NewId();
        await Runtime.StartAsync(_env.Launch(live, "sleep", "1000"), CancellationToken.None);

        // A container whose monitor was killed (no exit record, nobody to report) ...
        var lost = RuntimeTestEnvironment.NewId();
        await Runtime.StartAsync(_env.Launch(lost, "sleep", "1000"), CancellationToken.None);
        var stateDir = Path.Combine(_env.Options.ExecRoot, "containers", lost);
        var shimPid = int.Parse(await File.ReadAllTextAsync(Path.Combine(stateDir, "shim.pid")), System.Globalization.CultureInfo.InvariantCulture);
        Berth.Platform.Processes.Subreaper.SendSignal(shimPid, 9);

        // ... and a half-written bundle from a crash before the monitor started.
        var half = Path.Combine(_env.Options.ExecRoot, "containers", RuntimeTestEnvironment.NewId());
        Directory.CreateDirectory(Path.Combine(half, "rootfs"));
        await File.WriteAllTextAsync(Path.Combine(half, "config.json.tmp"), "{");

        await Task.Delay(200);
        var restarted = new RuncRuntime(_env.Options);
        var recovered = await restarted.RecoverAsync(CancellationToken.None);
        Assert.Contains(live, recovered);
        Assert.DoesNotContain(lost, recovered);
        Assert.False(Directory.Exists(stateDir));
        Assert.False(Directory.Exists(half));
        Assert.Null(await restarted.GetStatusAsync(lost, CancellationToken.None));
        Assert.Equal(RuntimeState.Running, (await restarted.GetStatusAsync(live, CancellationToken.None))!.State);
        await restarted.DeleteAsync(live, CancellationToken.None);
        Assert.Null(await restarted.GetStatusAsync(live, CancellationToken.None));
    }

    [Fact]
    public async Task ContainersOfTwoEngines_DoNotMix()
    {
        var other = new RuntimeTestEnvironment();
        await other.InitializeAsync();
        try
        {
            var id = RuntimeTestEnvironment.NewId();
            await Runtime.StartAsync(_env.Launch(id, "sleep", "1000"), CancellationToken.None);
            Assert.Null(await other.Runtime.GetStatusAsync(id, CancellationToken.None));
            Assert.Empty(await other.Runtime.RecoverAsync(CancellationToken.None));
            Assert.True(Directory.Exists($"/sys/fs/cgroup/memory{_env.CgroupParent}/{id}"));
            await Runtime.DeleteAsync(id, CancellationToken.None);
            Assert.False(Directory.Exists($"/sys/fs/cgroup/memory{_env.CgroupParent}/{id}"));
        }
        finally
        {
            await other.DisposeAsync();
        }
    }
}
