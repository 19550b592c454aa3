using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.SystemApi;

/// <summary>SIGTERM: the daemon stops cleanly, and without live restore it stops its containers first.</summary>
public sealed class DaemonShutdownTests
{
    [Fact]
    public async Task Sigterm_without_live_restore_stops_containers_and_exits_cleanly()
    {
        await using var d = await BerthDaemon.StartAsync("term", "--live-restore=false");
        await d.LoadBusyboxAsync();
        var id = await d.DockerOkAsync("run", "-d", "busybox", "sh", "-c", "trap 'exit 3' TERM; while true; do sleep 0.1; done");
        var pid = (await d.DockerOkAsync("inspect", "-f", "{{.State.Pid}}", id)).Trim();
        Assert.True(Directory.Exists($"/proc/{pid}"));

        await d.StopAsync();
        Assert.Equal(0, d.ExitCode);
        Assert.DoesNotContain("Unhandled exception", d.Log, StringComparison.Ordinal);
        Assert.False(File.Exists(d.SocketPath), "the socket is removed at exit");
        Assert.False(Directory.Exists($"/proc/{pid}"), "the container was left running");

        await d.RestartAsync("--live-restore=false");
        Assert.Equal("exited 3", (await d.DockerOkAsync("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", id)).Trim());
        await d.DockerOkAsync("rm", id);
    }
}
