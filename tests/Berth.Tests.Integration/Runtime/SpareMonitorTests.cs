using System.Globalization;
using Berth.Runtime;

namespace Berth.Tests.Integration.Runtime;

/// <summary>
/// The spare monitor (ShimLauncher): after a first start a berth-shim waits at idle priority, and
/// the next start or exec runs in it, with its own stdio, arguments and command line.
/// </summary>
public sealed class SpareMonitorTests : IClassFixture<RuntimeTestEnvironment>
{
    private const int SchedOther = 0;
    private const int SchedIdle = 5;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);
    private readonly RuntimeTestEnvironment _env;

    public SpareMonitorTests(RuntimeTestEnvironment env)
    {
        _env = env;
    }

    [Fact]
    public async Task A_start_and_an_exec_after_a_first_start_run_in_spare_monitors()
    {
        using var runtime = new RuncRuntime(_env.Options);
        Assert.Null(runtime.SpareMonitorPid);
        var first = await RunToExitAsync(runtime, "true");

        var spare = await WaitForSpareAsync(runtime);
        Assert.Equal([_env.Options.ShimPath!, "spare"], CommandLine(spare));
        Assert.Equal(SchedIdle, Policy(spare, spare));

        var second = RuntimeTestEnvironment.NewId();
        await runtime.StartAsync(_env.Launch(second, "sh", "-c", "echo from-the-spare; exec sleep 600"), CancellationToken.None);
        try
        {
            var stateDir = Path.Combine(_env.Options.ExecRoot, "containers", second);
            Assert.Equal(spare, int.Parse(File.ReadAllText(Path.Combine(stateDir, "shim.pid")), CultureInfo.InvariantCulture));
            Assert.Equal([_env.Options.ShimPath!, "run", stateDir], CommandLine(spare));
            Assert.All(Directory.GetDirectories($"/proc/{spare}/task"), t => Assert.Equal(SchedOther, Policy(spare, int.Parse(Path.GetFileName(t), CultureInfo.InvariantCulture))));
            var init = int.Parse(File.ReadAllText(Path.Combine(stateDir, "init.pid")).Trim(), CultureInfo.InvariantCulture);
            Assert.Equal(SchedOther, Policy(init, init)); // the container does not inherit the spare's idle priority
            Assert.True(await EventuallyAsync(async () => (await _env.ReadLogTextAsync(runtime, second)).Contains("from-the-spare", StringComparison.Ordinal)));

            var execSpare = await WaitForSpareAsync(runtime);
            Assert.NotEqual(spare, execSpare);
            await using (var exec = await runtime.ExecAsync(second, new ExecLaunch { Args = ["sh", "-c", "echo exec-$((6 * 7)); echo err >&2; exit 3"] }, CancellationToken.None))
            {
                var (stdout, stderr) = await RuncRuntimeTests.CollectAsync(exec.ReadOutputAsync(CancellationToken.None));
                Assert.Equal("exec-42\n", stdout);
                Assert.Equal("err\n", stderr);
                Assert.Equal(3, await exec.WaitAsync(CancellationToken.None).WaitAsync(Timeout));
            }

            // The exec consumed that spare (it monitored the exec and is gone) and a new one waits.
            Assert.True(await EventuallyAsync(() => Task.FromResult(!IsAlive(execSpare))));
            var third = await WaitForSpareAsync(runtime);
            Assert.NotEqual(execSpare, third);
        }
        finally
        {
            await runtime.DeleteAsync(second, CancellationToken.None);
            await runtime.DeleteAsync(first, CancellationToken.None);
        }
    }

    [Fact]
    public async Task A_spare_killed_by_hand_is_passed_over()
    {
        using var runtime = new RuncRuntime(_env.Options);
        var first = await RunToExitAsync(runtime, "true");
        var spare = await WaitForSpareAsync(runtime);
        Assert.Equal(0, Berth.Platform.Native.Libc.kill(spare, 9));
        Assert.True(await EventuallyAsync(() => Task.FromResult(!IsAlive(spare))));

        var second = await RunToExitAsync(runtime, "sh", "-c", "echo still-starts; exit 4");
        try
        {
            Assert.Contains("still-starts", await _env.ReadLogTextAsync(runtime, second));
            var monitor = int.Parse(File.ReadAllText(Path.Combine(_env.Options.ExecRoot, "containers", second, "shim.pid")), CultureInfo.InvariantCulture);
            Assert.NotEqual(spare, monitor);
        }
        finally
        {
            await runtime.DeleteAsync(second, CancellationToken.None);
            await runtime.DeleteAsync(first, CancellationToken.None);
        }
    }

    [Fact]
    public async Task Disposing_the_runtime_ends_its_spare()
    {
        var runtime = new RuncRuntime(_env.Options);
        var first = await RunToExitAsync(runtime, "true");
        var spare = await WaitForSpareAsync(runtime);
        await runtime.DeleteAsync(first, CancellationToken.None);
        runtime.Dispose();
        Assert.True(await EventuallyAsync(() => Task.FromResult(!IsAlive(spare))), "the spare outlived its runtime");
        Assert.Null(runtime.SpareMonitorPid);
    }

    private async Task<string> RunToExitAsync(RuncRuntime runtime, params string[] args)
    {
        var id = RuntimeTestEnvironment.NewId();
        await runtime.StartAsync(_env.Launch(id, args), CancellationToken.None);
        _ = await runtime.WaitAsync(id, CancellationToken.None).WaitAsync(Timeout);
        return id;
    }

    private static async Task<int> WaitForSpareAsync(RuncRuntime runtime)
    {
        int? pid = null;
        Assert.True(await EventuallyAsync(() => Task.FromResult((pid = runtime.SpareMonitorPid) is not null)), "no spare monitor was started");
        return pid!.Value;
    }

    private static async Task<bool> EventuallyAsync(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + Timeout;
        while (DateTime.UtcNow < deadline)
        {
            if (await condition())
            {
                return true;
            }

            await Task.Delay(20);
        }

        return false;
    }

    private static string[] CommandLine(int pid) =>
        File.ReadAllText($"/proc/{pid}/cmdline").TrimEnd('\0').Split('\0');

    /// <summary>Scheduling policy of a thread: field 41 of /proc/PID/task/TID/stat.</summary>
    private static int Policy(int pid, int tid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/task/{tid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        return int.Parse(fields[41 - 3], CultureInfo.InvariantCulture);
    }

    /// <summary>Running or not yet reaped and not a zombie.</summary>
    private static bool IsAlive(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[stat.LastIndexOf(')') + 2] != 'Z';
        }
        catch (IOException)
        {
            return false;
        }
    }
}
