using Berth.Containers.Health;
using Berth.Containers.Model;
using Berth.Core.Model;

namespace Berth.Tests.Unit.Containers;

public sealed class HealthRulesTests
{
    private static readonly DateTimeOffset Started = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static HealthProbeResult Result(int exitCode, double atSeconds) =>
        new(Started.AddSeconds(atSeconds), Started.AddSeconds(atSeconds + 0.1), exitCode, string.Empty);

    [Fact]
    public void Success_makes_healthy_and_failures_count_up_to_retries()
    {
        var cfg = new HealthConfig { Test = ["CMD", "true"], Retries = 2 };
        var s = HealthRules.Apply(new HealthState(), Result(0, 1), cfg, Started);
        Assert.Equal(HealthState.Healthy, s.Status);
        s = HealthRules.Apply(s, Result(1, 2), cfg, Started);
        Assert.Equal((HealthState.Healthy, 1), (s.Status, s.FailingStreak));
        s = HealthRules.Apply(s, Result(1, 3), cfg, Started);
        Assert.Equal((HealthState.Unhealthy, 2), (s.Status, s.FailingStreak));
        s = HealthRules.Apply(s, Result(0, 4), cfg, Started);
        Assert.Equal((HealthState.Healthy, 0), (s.Status, s.FailingStreak));
    }

    [Fact]
    public void Failures_inside_the_start_period_do_not_count_while_starting()
    {
        var cfg = new HealthConfig { Test = ["CMD", "true"], Retries = 1, StartPeriod = 10_000_000_000 };
        var s = HealthRules.Apply(new HealthState(), Result(1, 5), cfg, Started);
        Assert.Equal((HealthState.Starting, 0), (s.Status, s.FailingStreak));
        s = HealthRules.Apply(s, Result(1, 11), cfg, Started);
        Assert.Equal((HealthState.Unhealthy, 1), (s.Status, s.FailingStreak));
    }

    [Fact]
    public void The_log_keeps_the_last_five_results()
    {
        var cfg = new HealthConfig { Test = ["CMD", "true"] };
        var s = new HealthState();
        for (var i = 0; i < 7; i++)
        {
            s = HealthRules.Apply(s, Result(i, i), cfg, Started);
        }

        Assert.Equal([2, 3, 4, 5, 6], s.Log.Select(l => l.ExitCode));
    }

    [Fact]
    public void Defaults_and_intervals_follow_docker()
    {
        var cfg = new HealthConfig { Test = ["CMD-SHELL", "test -f /ok"], StartPeriod = 60_000_000_000 };
        Assert.Equal(TimeSpan.FromSeconds(30), HealthRules.Interval(cfg));
        Assert.Equal(TimeSpan.FromSeconds(30), HealthRules.Timeout(cfg));
        Assert.Equal(3, HealthRules.Retries(cfg));
        Assert.Equal(TimeSpan.FromSeconds(5), HealthRules.NextDelay(cfg, Started, Started.AddSeconds(1), HealthState.Starting));
        Assert.Equal(TimeSpan.FromSeconds(30), HealthRules.NextDelay(cfg, Started, Started.AddSeconds(1), HealthState.Healthy));
        Assert.Equal(TimeSpan.FromSeconds(30), HealthRules.NextDelay(cfg, Started, Started.AddSeconds(61), HealthState.Starting));
        Assert.Equal(["/bin/sh", "-c", "test -f /ok"], HealthRules.ProbeArgs(cfg, null));
        Assert.True(HealthRules.HasProbe(cfg));
        Assert.False(HealthRules.HasProbe(new HealthConfig { Test = ["NONE"] }));
    }
}
