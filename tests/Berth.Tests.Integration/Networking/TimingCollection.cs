namespace Berth.Tests.Integration.Networking;

/// <summary>Timing tests run alone, after the parallel ones: netlink work of other tests would queue them behind the kernel's rtnl lock.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "networking timing";

    /// <summary>
    /// Trait of tests that assert durations or rates: benchmarks, not functional tests. test.sh
    /// leaves them out (a loaded machine would fail them); scripts/bench-timing.sh runs them.
    /// </summary>
    public const string Category = "Timing";
}
