using System.Diagnostics;

namespace Berth.Tests.Integration.Harness;

/// <summary>
/// Waiting for a condition that stays true once reached (a process gone, a state reported, a file
/// written), instead of sleeping for a guessed time. The limit only guards against a hang: on a
/// loaded machine the condition is simply reached later.
/// </summary>
public static class Until
{
    public const int HangGuardSeconds = 120;

    public static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(HangGuardSeconds);

    public static async Task TrueAsync(Func<Task<bool>> condition, string what, TimeSpan? guard = null)
    {
        var sw = Stopwatch.StartNew();
        while (!await condition())
        {
            if (sw.Elapsed > (guard ?? HangGuard))
            {
                throw new TimeoutException($"timed out waiting for {what}");
            }

            await Task.Delay(20);
        }
    }

    public static Task TrueAsync(Func<bool> condition, string what, TimeSpan? guard = null) =>
        TrueAsync(() => Task.FromResult(condition()), what, guard);

    /// <summary>Until the process with this pid has gone (exited and been reaped).</summary>
    public static Task GoneAsync(string pid) => TrueAsync(() => !Directory.Exists($"/proc/{pid.Trim()}"), $"process {pid} to end");
}
