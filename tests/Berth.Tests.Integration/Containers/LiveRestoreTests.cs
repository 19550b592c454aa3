using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Containers;

public sealed class RestoreDaemon() : DaemonFixture("ctrlr");

/// <summary>Containers outlive a killed daemon and are picked up again when it comes back.</summary>
public sealed class LiveRestoreTests(RestoreDaemon fixture) : IClassFixture<RestoreDaemon>
{
    private readonly BerthDaemon _d = fixture.Daemon;

    private async Task<string> OkAsync(params string[] args)
    {
        var r = await _d.DockerAsync(args);
        Assert.True(r.ExitCode == 0, $"docker {string.Join(' ', args)}: {r}\n{_d.Log}");
        return r.Out;
    }

    [Fact]
    public async Task A_running_container_survives_a_killed_daemon_and_exits_are_seen_afterwards()
    {
        await OkAsync("run", "-d", "--name", "survivor", "busybox", "sleep", "600");
        await OkAsync("run", "-d", "--name", "shortlived", "busybox", "sh", "-c", "sleep 2; exit 4");
        await OkAsync("run", "-d", "--name", "stopped-always", "--restart", "always", "busybox", "sleep", "600");
        await OkAsync("stop", "-t", "0", "stopped-always");
        await OkAsync("run", "-d", "--name", "unless", "--restart", "unless-stopped", "busybox", "sleep", "600");
        await OkAsync("stop", "-t", "0", "unless");
        var pid = await OkAsync("inspect", "-f", "{{.State.Pid}}", "survivor");
        var shortPid = await OkAsync("inspect", "-f", "{{.State.Pid}}", "shortlived");

        // "shortlived" exits while the daemon is down.
        await _d.KillAsync();
        await Until.GoneAsync(shortPid);
        await _d.RestartAsync();

        Assert.Equal($"running {pid}", await OkAsync("inspect", "-f", "{{.State.Status}} {{.State.Pid}}", "survivor"));
        await Until.TrueAsync(async () => await OkAsync("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "shortlived") == "exited 4", "shortlived to be seen exited with 4");
        Assert.Equal("exited", await OkAsync("inspect", "-f", "{{.State.Status}}", "unless"));
        await Until.TrueAsync(async () => await OkAsync("inspect", "-f", "{{.State.Status}}", "stopped-always") == "running", "stopped-always to run again");
        Assert.Equal("exec-after-restore", await OkAsync("exec", "survivor", "echo", "exec-after-restore"));
        await OkAsync("stop", "-t", "1", "survivor");
        Assert.Equal("exited 137", await OkAsync("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "survivor"));
    }
}
