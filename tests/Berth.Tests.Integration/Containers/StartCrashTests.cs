using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Containers;

public sealed class StartCrashDaemon() : DaemonFixture("ctrsc");

/// <summary>
/// The window of the start path between "the runtime started the process" and "the record says
/// running": a crash (the BERTH_FAULT_KILL_AT point "container-start-before-record", where berthd
/// SIGKILLs itself) or a failed save there must not leave `ps` saying created or exited while the
/// process runs.
/// </summary>
public sealed class StartCrashTests(StartCrashDaemon fixture) : IClassFixture<StartCrashDaemon>
{
    private const string FaultPoint = "container-start-before-record";
    private readonly BerthDaemon _d = fixture.Daemon;

    private async Task<string> OkAsync(params string[] args)
    {
        var r = await _d.DockerAsync(args);
        Assert.True(r.ExitCode == 0, $"docker {string.Join(' ', args)}: {r}\n{_d.Log}");
        return r.Out;
    }

    /// <summary>Runs `docker run -d ...` with the fault point armed: berthd dies at it; then it comes back without.</summary>
    private async Task RunThroughCrashAsync(params string[] runArgs)
    {
        _d.Environment[Berth.Platform.Processes.FaultInjection.Variable] = FaultPoint;
        try
        {
            await _d.RestartAsync();
            var run = await _d.DockerAsync(["run", "-d", .. runArgs]);
            Assert.NotEqual(0, run.ExitCode); // the daemon died before it answered
            Assert.Equal(137, await _d.WaitForExitAsync()); // by the fault point's SIGKILL, not by anything else
        }
        finally
        {
            _d.Environment.Remove(Berth.Platform.Processes.FaultInjection.Variable);
        }

        await _d.RestartAsync();
    }

    [Fact]
    public async Task A_process_started_but_not_recorded_is_running_after_restart()
    {
        await RunThroughCrashAsync("--name", "unrecorded", "busybox", "sleep", "600");

        var state = (await OkAsync("inspect", "-f", "{{.State.Status}} {{.State.Pid}}", "unrecorded")).Split(' ');
        Assert.Equal("running", state[0]);
        var pid = int.Parse(state[1], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(pid > 0 && Directory.Exists($"/proc/{pid}"), $"pid {pid} is not a live process");
        Assert.Contains("unrecorded", await OkAsync("ps", "--format", "{{.Names}}"), StringComparison.Ordinal);
        Assert.Equal("adopted", await OkAsync("exec", "unrecorded", "echo", "adopted"));

        // and its exit is seen like any other
        await OkAsync("stop", "-t", "0", "unrecorded");
        Assert.Equal("exited 137", await OkAsync("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "unrecorded"));
        Assert.False(Directory.Exists($"/proc/{pid}"));
    }

    [Fact]
    public async Task A_process_that_ran_and_exited_while_unrecorded_reports_its_real_exit_code()
    {
        await RunThroughCrashAsync("--name", "ranaway", "busybox", "sh", "-c", "exit 3");

        Assert.Equal("3", await OkAsync("wait", "ranaway"));
        Assert.Equal("exited 3", await OkAsync("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", "ranaway"));
    }

    [Fact]
    public async Task A_record_that_cannot_be_saved_after_start_does_not_hide_the_running_process()
    {
        // The log goes to no file in the container directory, which is made immutable: every
        // save of the record (a new temporary file there) fails, even for root.
        var id = await OkAsync("create", "--name", "unsaved", "--log-driver", "none", "busybox", "sleep", "600");
        var dir = Path.Combine(_d.DataRoot, "containers", id);
        await Shell.CheckAsync("chattr", "+i", dir);
        string pid;
        try
        {
            await OkAsync("start", "unsaved");
            pid = await OkAsync("inspect", "-f", "{{.State.Pid}}", "unsaved");
            Assert.Equal("running", await OkAsync("inspect", "-f", "{{.State.Status}}", "unsaved"));
            Assert.True(Directory.Exists($"/proc/{pid}"));

            // On disk the record still says created: a daemon that dies now finds the live monitor.
            await _d.KillAsync();
        }
        finally
        {
            await Shell.CheckAsync("chattr", "-i", dir);
        }

        await _d.RestartAsync();
        Assert.Equal($"running {pid}", await OkAsync("inspect", "-f", "{{.State.Status}} {{.State.Pid}}", "unsaved"));
        await OkAsync("rm", "-f", "unsaved");
    }
}
