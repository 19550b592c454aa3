using Berth.Containers.Model;
using Berth.Containers.Restart;

namespace Berth.Tests.Unit.Containers;

public sealed class RestartBackoffTests
{
    private static readonly RestartPolicy Always = new("always", 0);

    [Fact]
    public void Delay_starts_at_100ms_doubles_and_caps_at_a_minute()
    {
        var b = new RestartBackoff();
        var delays = Enumerable.Range(0, 12).Select(_ => b.Decide(Always, 0, 0, false, TimeSpan.FromSeconds(1)).Delay).ToList();
        Assert.Equal(TimeSpan.FromMilliseconds(100), delays[0]);
        Assert.Equal(TimeSpan.FromMilliseconds(200), delays[1]);
        Assert.Equal(TimeSpan.FromMilliseconds(400), delays[2]);
        Assert.Equal(TimeSpan.FromMilliseconds(51_200), delays[9]);
        Assert.Equal(TimeSpan.FromMinutes(1), delays[10]);
        Assert.Equal(TimeSpan.FromMinutes(1), delays[11]);
    }

    [Fact]
    public void Delay_resets_after_ten_seconds_of_running()
    {
        var b = new RestartBackoff();
        b.Decide(Always, 0, 0, false, TimeSpan.FromSeconds(1));
        b.Decide(Always, 0, 0, false, TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromMilliseconds(100), b.Decide(Always, 0, 0, false, TimeSpan.FromSeconds(10)).Delay);
    }

    [Theory]
    [InlineData("no", 0, 1, false, false)]
    [InlineData("always", 0, 0, true, true)]
    [InlineData("unless-stopped", 0, 1, false, true)]
    [InlineData("unless-stopped", 0, 1, true, false)]
    [InlineData("on-failure", 0, 0, false, false)]
    [InlineData("on-failure", 0, 3, false, true)]
    public void Policies_decide_as_docker(string policy, int restartCount, int exitCode, bool manuallyStopped, bool expected) =>
        Assert.Equal(expected, new RestartBackoff().Decide(new RestartPolicy(policy, 0), restartCount, exitCode, manuallyStopped, TimeSpan.Zero).Restart);

    [Fact]
    public void On_failure_stops_after_the_maximum_retry_count()
    {
        var p = new RestartPolicy("on-failure", 2);
        Assert.True(new RestartBackoff().Decide(p, 1, 3, false, TimeSpan.Zero).Restart);
        Assert.False(new RestartBackoff().Decide(p, 2, 3, false, TimeSpan.Zero).Restart);
    }
}
