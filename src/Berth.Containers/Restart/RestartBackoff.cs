using Berth.Containers.Model;

namespace Berth.Containers.Restart;

/// <summary>
/// Docker's restart decision and back-off: the delay before a restart starts at 100 ms and
/// doubles on each restart up to one minute; it goes back to 100 ms once the container ran for
/// 10 seconds. Not thread-safe: the container service calls it under the container's lock.
/// </summary>
public sealed class RestartBackoff
{
    public static readonly TimeSpan InitialDelay = TimeSpan.FromMilliseconds(100);
    public static readonly TimeSpan MaxDelay = TimeSpan.FromMinutes(1);
    public static readonly TimeSpan ResetAfter = TimeSpan.FromSeconds(10);

    private TimeSpan _delay;

    /// <summary>The delay chosen by the last restart decision.</summary>
    public TimeSpan CurrentDelay => _delay;

    /// <summary>
    /// Whether a container that just exited should restart, and after how long.
    /// <paramref name="restartCount"/> is the container's restarts so far (on-failure's limit).
    /// </summary>
    public (bool Restart, TimeSpan Delay) Decide(RestartPolicy policy, int restartCount, int exitCode, bool manuallyStopped, TimeSpan executionDuration)
    {
        if (policy.IsNone)
        {
            return (false, TimeSpan.Zero);
        }

        if (executionDuration >= ResetAfter)
        {
            _delay = TimeSpan.Zero;
        }

        _delay = _delay == TimeSpan.Zero ? InitialDelay : _delay < MaxDelay ? _delay * 2 : _delay;
        if (_delay > MaxDelay)
        {
            _delay = MaxDelay;
        }

        var restart = policy.Name switch
        {
            RestartPolicy.Always => true,
            RestartPolicy.UnlessStopped => !manuallyStopped,
            RestartPolicy.OnFailure => exitCode != 0 && (policy.MaximumRetryCount == 0 || restartCount < policy.MaximumRetryCount),
            _ => false,
        };
        return (restart, restart ? _delay : TimeSpan.Zero);
    }

    /// <summary>Whether the daemon should start this stopped container when it starts (Docker's restore rule).</summary>
    public static bool ShouldStartOnDaemonStart(Container c)
    {
        var p = c.HostConfig.RestartPolicy;
        return p.Name switch
        {
            RestartPolicy.Always => true,
            RestartPolicy.UnlessStopped => !c.HasBeenManuallyStopped,
            RestartPolicy.OnFailure => !c.HasBeenManuallyStopped && c.State.ExitCode != 0 && (p.MaximumRetryCount == 0 || c.RestartCount < p.MaximumRetryCount),
            _ => false,
        };
    }
}
