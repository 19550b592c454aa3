using System.Diagnostics;
using Berth.Tests.Integration.Harness;
using Berth.Tests.Integration.Networking;

namespace Berth.Tests.Integration.Containers;

/// <summary>
/// How long `stop -t 1` of a process that ignores TERM takes: the grace period, SIGKILL, the
/// exit seen. A benchmark (Category=Timing, scripts/bench-timing.sh): ContainerLifecycleTests
/// asserts the outcome (exit 137, kill 15 then kill 9 then die then stop) whatever the machine's load.
/// </summary>
[Trait("Category", TimingCollection.Category)]
public sealed class StopTimingTests(ContainersDaemon fixture) : IClassFixture<ContainersDaemon>
{
    private readonly BerthDaemon _d = fixture.Daemon;

    [Fact]
    public async Task Stop_with_a_one_second_grace_period_ends_within_eight_seconds()
    {
        var name = $"stoptime-{Guid.NewGuid().ToString("N")[..8]}";
        await _d.DockerOkAsync("run", "-d", "--name", name, "busybox", "sleep", "600");
        var sw = Stopwatch.StartNew();
        await _d.DockerOkAsync("stop", "-t", "1", name);
        Assert.True(sw.Elapsed < TimeSpan.FromSeconds(8), $"stop took {sw.Elapsed}");
        Assert.Equal("137", await _d.DockerOkAsync("inspect", "-f", "{{.State.ExitCode}}", name));
        await _d.DockerOkAsync("rm", name);
    }
}
