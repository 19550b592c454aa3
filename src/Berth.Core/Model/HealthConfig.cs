namespace Berth.Core.Model;

/// <summary>
/// A healthcheck as images and containers carry it. Durations are in nanoseconds, as Docker's API
/// has them; 0 means "inherit / default".
/// </summary>
public sealed record HealthConfig
{
    /// <summary>["NONE"], ["CMD", args...], ["CMD-SHELL", command] or empty to inherit.</summary>
    public IReadOnlyList<string>? Test { get; init; }

    public long Interval { get; init; }

    public long Timeout { get; init; }

    public long StartPeriod { get; init; }

    public long StartInterval { get; init; }

    public int Retries { get; init; }
}
