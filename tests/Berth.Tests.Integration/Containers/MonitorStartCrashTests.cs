using System.Net.Sockets;
using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Containers;

/// <summary>
/// berthd killed (SIGKILL) while a container's monitor is still starting it: inside `runc run`,
/// before the monitor has opened its socket. The monitor is held at that step by the test-only
/// point BERTH_TEST_HOLD_MONITOR (it waits on "&lt;its socket&gt;.held"), berthd is killed,
/// a new berthd starts, and the monitor is let go only once the new berthd has seen it. Before, the
/// new berthd took a monitor without a socket for a dead one and deleted the container's state
/// under it: the container then ran with no record of it, or its monitor crashed and left it
/// running unmonitored. Now berthd waits for the outcome: a container whose process runs is
/// adopted, one that ran and exited reports its exit, one whose start failed is cleaned up, and
/// no runc, monitor or container process is left behind.
/// </summary>
public sealed class MonitorStartCrashTests : IAsyncLifetime
{
    private const string HoldVariable = "BERTH_TEST_HOLD_MONITOR";
    private const string Waiting = "its monitor is still starting it";
    private BerthDaemon _d = null!;

    public async Task InitializeAsync()
    {
        _d = await BerthDaemon.StartAsync("monstart");
        await _d.LoadBusyboxAsync();
    }

    public async Task DisposeAsync() => await _d.DisposeAsync();

    private async Task<string> OkAsync(params string[] args)
    {
        var r = await _d.DockerAsync(args);
        Assert.True(r.ExitCode == 0, $"docker {string.Join(' ', args)}: {r}\n{_d.Log}");
        return r.Out;
    }

    /// <summary>
    /// `docker run -d` with the monitor held at <paramref name="point"/>; berthd is killed there and
    /// started again, and the monitor released once the new berthd waits for it. Returns the container's ID.
    /// </summary>
    private async Task<string> RunThroughCrashAsync(string point, params string[] runArgs)
    {
        var sockets = Path.Combine(_d.ExecRoot, "m");
        _d.Environment[HoldVariable] = point;
        string held;
        string id;
        try
        {
            await _d.RestartAsync();
            var run = _d.DockerAsync(["run", "-d", .. runArgs]);
            string? found = null;
            await Until.TrueAsync(() => (found = Directory.Exists(sockets) ? Directory.EnumerateFiles(sockets, "*.held").FirstOrDefault() : null) is not null || run.IsCompleted, $"a monitor held at {point}");
            Assert.False(run.IsCompleted, $"docker run ended before its monitor was held: {(run.IsCompleted ? run.Result : null)}");
            held = found!;
            id = await OkAsync("inspect", "-f", "{{.Id}}", runArgs[Array.IndexOf(runArgs, "--name") + 1]);
            await _d.KillAsync();
            Assert.NotEqual(0, (await run).ExitCode); // berthd died before it answered
        }
        finally
        {
            _d.Environment.Remove(HoldVariable);
        }

        var restart = _d.RestartAsync();
        try
        {
            // The monitor goes on only once the new berthd has met it still starting (a berthd that
            // does not wait comes up without the line; what it did shows in the outcome below).
            await Until.TrueAsync(() => _d.Log.Contains(Waiting, StringComparison.Ordinal) || restart.IsCompleted, "berthd to find the starting monitor");
        }
        finally
        {
            await ReleaseAsync(held);
            await restart;
        }

        return id;
    }

    /// <summary>Lets a held monitor go on (it is listening once its socket accepts).</summary>
    private static async Task ReleaseAsync(string held)
    {
        await Until.TrueAsync(
            () =>
            {
                if (!File.Exists(held))
                {
                    return true;
                }

                using var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                try
                {
                    s.Connect(new UnixDomainSocketEndPoint(held));
                    return true;
                }
                catch (SocketException)
                {
                    return false;
                }
            },
            "the held monitor to take its release");
    }

    /// <summary>Processes whose command line names the container (runc, its monitor).</summary>
    private static List<string> ProcessesOf(string id) =>
        [.. Directory.EnumerateDirectories("/proc")
            .Where(d => Path.GetFileName(d).All(char.IsAsciiDigit))
            .Select(d =>
            {
                try
                {
                    return (Pid: Path.GetFileName(d), Cmd: File.ReadAllText(Path.Combine(d, "cmdline")).Replace('\0', ' '));
                }
                catch (IOException)
                {
                    return (Pid: Path.GetFileName(d), Cmd: string.Empty);
                }
            })
            .Where(p => p.Cmd.Contains(id, StringComparison.Ordinal))
            .Select(p => $"{p.Pid}: {p.Cmd}")];

    [Theory]
    [InlineData("before-runtime")]
    [InlineData("before-socket")]
    public async Task A_container_started_while_berthd_died_is_adopted_with_one_monitor(string point)
    {
        var name = $"adopted-{point}";
        var id = await RunThroughCrashAsync(point, "--name", name, "busybox", "sleep", "600");

        var state = (await OkAsync("inspect", "-f", "{{.State.Status}} {{.State.Pid}}", name)).Split(' ');
        Assert.Equal("running", state[0]);
        var pid = state[1];
        Assert.True(Directory.Exists($"/proc/{pid}"), $"pid {pid} is not a live process");
        Assert.Equal("adopted", await OkAsync("exec", name, "echo", "adopted"));
        Assert.Single(ProcessesOf(id), p => p.Contains("berth-shim", StringComparison.Ordinal));

        await OkAsync("rm", "-f", name);
        await Until.GoneAsync(pid);
        await Until.TrueAsync(() => ProcessesOf(id).Count == 0, "the container's monitor to end");
    }

    [Fact]
    public async Task A_container_that_ran_and_exited_meanwhile_reports_its_exit()
    {
        var id = await RunThroughCrashAsync("before-runtime", "--name", "ranaway", "busybox", "sh", "-c", "exit 3");

        Assert.Equal("3", await OkAsync("wait", "ranaway"));
        Assert.Equal("exited 3", await OkAsync("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "ranaway"));
        await Until.TrueAsync(() => ProcessesOf(id).Count == 0, "the container's monitor to end");
        await OkAsync("rm", "ranaway");
    }

    [Fact]
    public async Task A_start_that_failed_meanwhile_is_cleaned_up_and_not_running()
    {
        var id = await RunThroughCrashAsync("before-runtime", "--name", "neverran", "busybox", "/no/such/program");

        Assert.NotEqual("running", await OkAsync("inspect", "-f", "{{.State.Status}}", "neverran"));
        Assert.Empty(ProcessesOf(id));
        Assert.False(Directory.Exists(Path.Combine(_d.ExecRoot, "containers", id)));

        // and it can be started again, failing as a start of it fails, and removed
        var again = await _d.DockerAsync("start", "neverran");
        Assert.NotEqual(0, again.ExitCode);
        Assert.Contains("no such file or directory", again.Stderr, StringComparison.Ordinal);
        await OkAsync("rm", "neverran");
        Assert.Empty(ProcessesOf(id));
    }
}
