using System.Diagnostics;
using Berth.Platform.Isolation;

namespace Berth.Tests.Integration.Runtime;

public sealed class CgroupLockWarmerTests
{
    [Fact]
    public void Warming_moves_nothing_and_speeds_up_a_migration()
    {
        var before = File.ReadAllText("/proc/self/cgroup");
        var dir = $"/sys/fs/cgroup/pids/berth-warm-test-{Environment.ProcessId}";
        Directory.CreateDirectory(dir);
        try
        {
            // A process moved by id while warming does not wait a full grace period each time.
            TimeSpan warm;
            using (new CgroupLockWarmer().Hold())
            {
                Thread.Sleep(50);

                // The quickest of three: other tests may hold the cgroup mutex for a moment.
                warm = new[] { TimeMove(dir), TimeMove(dir), TimeMove(dir) }.Min();
            }

            Assert.Equal(before, File.ReadAllText("/proc/self/cgroup"));
            Assert.True(warm < TimeSpan.FromMilliseconds(5), $"a migration while warm took {warm.TotalMilliseconds} ms");
        }
        finally
        {
            Directory.Delete(dir);
        }
    }

    private static TimeSpan TimeMove(string dir)
    {
        using var sleeper = Process.Start("sleep", "5");
        try
        {
            var sw = Stopwatch.StartNew();
            File.WriteAllText(Path.Combine(dir, "cgroup.procs"), sleeper.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return sw.Elapsed;
        }
        finally
        {
            sleeper.Kill();
            sleeper.WaitForExit();
        }
    }
}
