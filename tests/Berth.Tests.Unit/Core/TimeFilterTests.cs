using Berth.Core.Errors;
using Berth.Core.Filters;

namespace Berth.Tests.Unit.Core;

public sealed class TimeFilterTests
{
    private static readonly DateTimeOffset Now = new(2026, 1, 2, 3, 4, 5, TimeSpan.Zero);

    [Theory]
    [InlineData("1700000000", 1700000000L, 0L)]
    [InlineData("1700000000.5", 1700000000L, 5_000_000L)]
    public void Unix_seconds_with_fractions(string text, long seconds, long extraTicks)
    {
        Assert.Equal(DateTimeOffset.FromUnixTimeSeconds(seconds).AddTicks(extraTicks), TimeFilter.Parse(text, Now));
    }

    [Theory]
    [InlineData("10m", 600)]
    [InlineData("1h30m", 5400)]
    [InlineData("1.5s", 1.5)]
    [InlineData("250ms", 0.25)]
    public void Durations_are_relative_to_now(string text, double seconds)
    {
        Assert.Equal(Now - TimeSpan.FromSeconds(seconds), TimeFilter.Parse(text, Now));
    }

    [Fact]
    public void Rfc3339_timestamps()
    {
        Assert.Equal(new DateTimeOffset(2025, 5, 6, 7, 8, 9, TimeSpan.Zero), TimeFilter.Parse("2025-05-06T07:08:09Z", Now));
    }

    [Fact]
    public void Empty_is_no_bound_and_garbage_is_refused()
    {
        Assert.Null(TimeFilter.Parse("", Now));
        var e = Assert.Throws<BerthException>(() => TimeFilter.Parse("yesterday-ish", Now));
        Assert.Contains("failed to parse value as time or duration", e.Message, StringComparison.Ordinal);
    }
}
