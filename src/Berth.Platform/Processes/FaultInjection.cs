using Berth.Platform.Native;

namespace Berth.Platform.Processes;

/// <summary>
/// Test-only crash points. When berthd's environment has BERTH_FAULT_KILL_AT=&lt;point&gt; and
/// the code reaches <see cref="KillPoint"/> with that name, the process SIGKILLs itself there:
/// a crash at an exact moment, which a kill from outside could only hit by luck. Crash tests use
/// it to prove that restart recovers from every window of a multi-step operation. Unset (every
/// real deployment), a point costs one cached comparison. The points are listed in
/// docs/ARCHITECTURE.md ("Fault-injection points").
/// </summary>
public static class FaultInjection
{
    public const string Variable = "BERTH_FAULT_KILL_AT";

    private static readonly string? Armed = Environment.GetEnvironmentVariable(Variable) is { Length: > 0 } v ? v : null;

    /// <summary>Dies with SIGKILL when <paramref name="point"/> is the armed point; returns otherwise.</summary>
    public static void KillPoint(string point)
    {
        if (Armed is not null && string.Equals(Armed, point, StringComparison.Ordinal))
        {
            _ = Libc.kill(Libc.getpid(), 9);
            Thread.Sleep(Timeout.Infinite); // nothing after the point may run while the signal lands
        }
    }
}
