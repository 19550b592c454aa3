using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Containers;

public sealed class MonitorVersionDaemon() : DaemonFixture("ctrver");

/// <summary>
/// Live restore across an upgrade: berthd re-attaches to monitors another berth started. It
/// speaks the previous format (a monitor.conf without a version line) and refuses a newer one
/// clearly, leaving that container's processes and state alone.
/// </summary>
public sealed class MonitorVersionTests(MonitorVersionDaemon fixture) : IClassFixture<MonitorVersionDaemon>
{
    private readonly BerthDaemon _d = fixture.Daemon;

    private string ConfigPath(string id) => Path.Combine(_d.ExecRoot, "containers", id, "monitor.conf");

    private async Task RestartWithConfigAsync(string id, Func<string, string> rewrite)
    {
        await _d.KillAsync();
        var path = ConfigPath(id);
        await File.WriteAllTextAsync(path + ".edit", rewrite(await File.ReadAllTextAsync(path)));
        File.Move(path + ".edit", path, overwrite: true);
        await _d.RestartAsync();
    }

    private static string WithoutVersion(string config) =>
        string.Concat(config.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(l => !l.StartsWith("version=", StringComparison.Ordinal)).Select(l => l + "\n"));

    [Fact]
    public async Task A_monitor_of_the_previous_unversioned_format_is_reattached_and_fully_served()
    {
        var id = await _d.DockerOkAsync("run", "-d", "busybox", "sh", "-c", "trap 'exit 7' TERM; echo before; while :; do sleep 1; done");
        var pid = await _d.DockerOkAsync("inspect", "-f", "{{.State.Pid}}", id);
        Assert.StartsWith("version=2\n", await File.ReadAllTextAsync(ConfigPath(id)), StringComparison.Ordinal);

        await RestartWithConfigAsync(id, WithoutVersion);

        Assert.Equal($"running {pid}", await _d.DockerOkAsync("inspect", "-f", "{{.State.Status}} {{.State.Pid}}", id));
        Assert.Equal("after", await _d.DockerOkAsync("exec", id, "echo", "after"));
        Assert.Equal("before", await _d.DockerOkAsync("logs", id));
        await _d.DockerOkAsync("stop", "-t", "30", id);
        Assert.Equal("exited 7", await _d.DockerOkAsync("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", id));
        await _d.DockerOkAsync("rm", id);
    }

    [Fact]
    public async Task A_monitor_of_a_newer_version_is_refused_clearly_and_left_alone()
    {
        var id = await _d.DockerOkAsync("run", "-d", "busybox", "sleep", "600");
        var pid = await _d.DockerOkAsync("inspect", "-f", "{{.State.Pid}}", id);
        var message = $"container {id} is run by a monitor of version 4, and this berth speaks versions 1 to 3 only: manage it with the berthd that started it, or upgrade this one";

        await RestartWithConfigAsync(id, c => "version=4\n" + WithoutVersion(c));

        Assert.Contains(message, _d.Log, StringComparison.Ordinal);
        Assert.Equal("exited 255", await _d.DockerOkAsync("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", id));
        Assert.True(Directory.Exists($"/proc/{pid}"), "the container's process was touched");
        var rm = await _d.DockerAsync("rm", "-f", id);
        Assert.NotEqual(0, rm.ExitCode);
        Assert.Contains(message, rm.Stderr, StringComparison.Ordinal);
        var start = await _d.DockerAsync("start", id);
        Assert.NotEqual(0, start.ExitCode);
        Assert.Contains(message, start.Stderr, StringComparison.Ordinal);
        Assert.True(Directory.Exists($"/proc/{pid}"), "the container's process was touched");
        Assert.True(File.Exists(ConfigPath(id)), "the container's state was removed");

        // Back with a berth that speaks it: removable as usual.
        await RestartWithConfigAsync(id, c => "version=2\n" + WithoutVersion(c));
        await _d.DockerOkAsync("rm", "-f", id);

        // Its runtime state goes after the answer, in the background.
        var sw = System.Diagnostics.Stopwatch.StartNew();
        while (File.Exists(ConfigPath(id)))
        {
            Assert.True(sw.Elapsed < TimeSpan.FromMinutes(2), "the container's state was never removed");
            await Task.Delay(100);
        }

        Assert.False(Directory.Exists($"/proc/{pid}"), "the container's process outlived its removal");
    }
}
