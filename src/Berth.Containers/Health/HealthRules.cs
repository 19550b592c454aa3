using Berth.Containers.Model;
using Berth.Core.Model;

namespace Berth.Containers.Health;

/// <summary>
/// Docker's healthcheck state machine, without time or I/O: defaults, the delay before the next
/// probe, and how one probe result changes Status, FailingStreak and the last-five Log.
/// </summary>
public static class HealthRules
{
    public static readonly TimeSpan DefaultInterval = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);
    public static readonly TimeSpan DefaultStartInterval = TimeSpan.FromSeconds(5);
    public const int DefaultRetries = 3;
    public const int MaxLogEntries = 5;
    public const int MaxOutputBytes = 4096;

    public static bool HasProbe(HealthConfig? config) =>
        config?.Test is { Count: > 1 } t && t[0] is "CMD" or "CMD-SHELL";

    public static TimeSpan Interval(HealthConfig c) => OrDefault(c.Interval, DefaultInterval);

    public static TimeSpan Timeout(HealthConfig c) => OrDefault(c.Timeout, DefaultTimeout);

    public static TimeSpan StartPeriod(HealthConfig c) => OrDefault(c.StartPeriod, TimeSpan.Zero);

    public static TimeSpan StartInterval(HealthConfig c) => OrDefault(c.StartInterval, DefaultStartInterval);

    public static int Retries(HealthConfig c) => c.Retries <= 0 ? DefaultRetries : c.Retries;

    /// <summary>The delay before the next probe: StartInterval while starting within the start period, else Interval.</summary>
    public static TimeSpan NextDelay(HealthConfig c, DateTimeOffset startedAt, DateTimeOffset now, string status)
    {
        if (now - startedAt >= StartPeriod(c))
        {
            return Interval(c);
        }

        return status == HealthState.Starting ? StartInterval(c) : Interval(c);
    }

    /// <summary>The probe's command line: CMD runs its arguments, CMD-SHELL runs the string with the container's shell.</summary>
    public static IReadOnlyList<string> ProbeArgs(HealthConfig c, IReadOnlyList<string>? shell)
    {
        var test = c.Test!;
        return test[0] == "CMD-SHELL"
            ? [.. (shell is { Count: > 0 } ? shell : ["/bin/sh", "-c"]), .. test.Skip(1)]
            : [.. test.Skip(1)];
    }

    /// <summary>
    /// Applies one result: success resets the streak and makes the container healthy; a failure
    /// counts (except while starting within the start period) and after Retries failures in a row
    /// the container is unhealthy. The log keeps the last five results.
    /// </summary>
    public static HealthState Apply(HealthState state, HealthProbeResult result, HealthConfig config, DateTimeOffset startedAt)
    {
        var log = state.Log.Count >= MaxLogEntries
            ? [.. state.Log.Skip(state.Log.Count + 1 - MaxLogEntries), result]
            : state.Log.Append(result).ToList();

        if (result.ExitCode == 0)
        {
            return state with { Status = HealthState.Healthy, FailingStreak = 0, Log = log };
        }

        if (state.Status == HealthState.Starting && result.Start - startedAt < StartPeriod(config))
        {
            return state with { Log = log };
        }

        var streak = state.FailingStreak + 1;
        return state with
        {
            FailingStreak = streak,
            Status = streak >= Retries(config) ? HealthState.Unhealthy : state.Status,
            Log = log,
        };
    }

    private static TimeSpan OrDefault(long nanos, TimeSpan fallback) =>
        nanos > 0 ? TimeSpan.FromTicks(nanos / 100) : fallback;
}
