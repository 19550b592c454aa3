namespace Berth.Tests.Integration.Networking;

/// <summary>Timing tests run alone, after the parallel ones: netlink work of other tests would queue them behind the kernel's rtnl lock.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TimingCollection
{
    public const string Name = "networking timing";
}
