using Berth.Core.Text;
using Berth.Containers.Model;
using Berth.Containers.Query;

namespace Berth.Tests.Unit.Containers;

public sealed class StatusTextTests
{
    private static readonly DateTimeOffset Now = new(2025, 1, 1, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData(0.5, "Less than a second")]
    [InlineData(1, "1 second")]
    [InlineData(5, "5 seconds")]
    [InlineData(59, "59 seconds")]
    [InlineData(60, "About a minute")]
    [InlineData(119, "About a minute")]
    [InlineData(180, "3 minutes")]
    [InlineData(3600, "About an hour")]
    [InlineData(5 * 3600, "5 hours")]
    [InlineData(3 * 86400, "3 days")]
    [InlineData(21 * 86400, "3 weeks")]
    [InlineData(90 * 86400, "3 months")]
    [InlineData(800 * 86400, "2 years")]
    public void Human_durations_match_go_units(double seconds, string expected) =>
        Assert.Equal(expected, HumanDuration.Format(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Status_strings_follow_docker_ps()
    {
        Assert.Equal("Created", StatusText.For(new ContainerState(), Now));
        Assert.Equal("Up 5 seconds", StatusText.For(new ContainerState { Running = true, StartedAt = Now.AddSeconds(-5) }, Now));
        Assert.Equal("Up 2 minutes (Paused)", StatusText.For(new ContainerState { Running = true, Paused = true, StartedAt = Now.AddMinutes(-2) }, Now));
        Assert.Equal("Up 1 second (healthy)", StatusText.For(new ContainerState { Running = true, StartedAt = Now.AddSeconds(-1), Health = new HealthState { Status = HealthState.Healthy } }, Now));
        Assert.Equal("Up 1 second (health: starting)", StatusText.For(new ContainerState { Running = true, StartedAt = Now.AddSeconds(-1), Health = new HealthState() }, Now));
        Assert.Equal("Exited (0) 3 minutes ago", StatusText.For(new ContainerState { StartedAt = Now.AddMinutes(-5), FinishedAt = Now.AddMinutes(-3) }, Now));
        Assert.Equal("Restarting (1) 2 seconds ago", StatusText.For(new ContainerState { Running = true, Restarting = true, ExitCode = 1, StartedAt = Now.AddMinutes(-1), FinishedAt = Now.AddSeconds(-2) }, Now));
    }

    [Fact]
    public void State_words_follow_dockers_flags()
    {
        Assert.Equal("created", new ContainerState().Status);
        Assert.Equal("running", new ContainerState { Running = true, StartedAt = Now }.Status);
        Assert.Equal("paused", new ContainerState { Running = true, Paused = true, StartedAt = Now }.Status);
        Assert.Equal("restarting", new ContainerState { Running = true, Restarting = true, StartedAt = Now }.Status);
        Assert.Equal("exited", new ContainerState { StartedAt = Now, FinishedAt = Now }.Status);
        Assert.Equal("removing", new ContainerState { RemovalInProgress = true }.Status);
        Assert.Equal("dead", new ContainerState { Dead = true }.Status);
    }
}
