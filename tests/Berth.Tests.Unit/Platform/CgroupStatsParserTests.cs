using Berth.Platform.Cgroups;
using Berth.Platform.Processes;

namespace Berth.Tests.Unit.Platform;

public sealed class CgroupStatsParserTests
{
    private static readonly Dictionary<string, string> V1 = new()
    {
        ["cpuacct/cpuacct.usage"] = "123456789\n",
        ["cpuacct/cpuacct.usage_percpu"] = "100000000 23456789 \n",
        ["cpuacct/cpuacct.stat"] = "user 7\nsystem 3\n",
        ["memory/memory.usage_in_bytes"] = "4194304\n",
        ["memory/memory.limit_in_bytes"] = "8388608\n",
        ["memory/memory.max_usage_in_bytes"] = "6291456\n",
        ["memory/memory.stat"] = "cache 1024\nrss 2048\ntotal_inactive_file 512\nhierarchical_memory_limit 8388608\n",
        ["pids/pids.current"] = "3\n",
        ["pids/pids.max"] = "max\n",
        ["blkio/blkio.throttle.io_service_bytes"] = "8:0 Read 4096\n8:0 Write 8192\n8:0 Sync 0\n8:0 Async 0\n8:0 Total 12288\n8:16 Read 1\n8:16 Write 2\nTotal 12291\n",
    };

    private static readonly Dictionary<string, string> V2 = new()
    {
        ["cpu.stat"] = "usage_usec 123456\nuser_usec 100000\nsystem_usec 23456\nnr_periods 0\nnr_throttled 0\nthrottled_usec 0\n",
        ["memory.current"] = "4194304\n",
        ["memory.max"] = "max\n",
        ["memory.peak"] = "5000000\n",
        ["memory.stat"] = "anon 2048\nfile 1024\ninactive_file 512\n",
        ["pids.current"] = "2\n",
        ["pids.max"] = "100\n",
        ["io.stat"] = "8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n253:0 rbytes=1 wbytes=2 rios=1 wios=1 dbytes=0 dios=0\n",
    };

    [Fact]
    public void ParsesCgroupV1()
    {
        var s = CgroupStatsParser.ParseV1(name => V1.GetValueOrDefault(name));
        Assert.Equal(123456789UL, s.CpuTotalNanos);
        Assert.Equal([100000000UL, 23456789UL], s.PerCpuNanos);
        Assert.Equal(70_000_000UL, s.CpuUserNanos);
        Assert.Equal(30_000_000UL, s.CpuSystemNanos);
        Assert.Equal(4194304UL, s.MemoryUsage);
        Assert.Equal(8388608UL, s.MemoryLimit);
        Assert.Equal(6291456UL, s.MemoryMaxUsage);
        Assert.Equal(2048UL, s.MemoryStats["rss"]);
        Assert.Equal(3UL, s.PidsCurrent);
        Assert.Equal(0UL, s.PidsLimit);
        Assert.Equal(4097UL, s.BlkioReadBytes);
        Assert.Equal(8194UL, s.BlkioWriteBytes);
    }

    [Fact]
    public void ParsesCgroupV2()
    {
        var s = CgroupStatsParser.ParseV2(name => V2.GetValueOrDefault(name));
        Assert.Equal(123456000UL, s.CpuTotalNanos);
        Assert.Equal(100000000UL, s.CpuUserNanos);
        Assert.Equal(23456000UL, s.CpuSystemNanos);
        Assert.Equal(4194304UL, s.MemoryUsage);
        Assert.Equal(0UL, s.MemoryLimit);
        Assert.Equal(5000000UL, s.MemoryMaxUsage);
        Assert.Equal(512UL, s.MemoryStats["inactive_file"]);
        Assert.Equal((2UL, 100UL), (s.PidsCurrent, s.PidsLimit));
        Assert.Equal((4097UL, 8194UL), (s.BlkioReadBytes, s.BlkioWriteBytes));
    }

    [Fact]
    public void MissingFiles_ReadAsZero()
    {
        var s = CgroupStatsParser.ParseV1(_ => null);
        Assert.Equal(0UL, s.CpuTotalNanos);
        Assert.Empty(s.PerCpuNanos);
    }

    [Fact]
    public void OomControl_AndNetDev_AndProcStat()
    {
        Assert.Equal((true, 2UL), Cgroup.ParseOomControl("oom_kill_disable 0\nunder_oom 1\noom_kill 2\n"));
        Assert.Equal((false, 0UL), Cgroup.ParseOomControl(null));

        const string netDev = "Inter-|   Receive                                                |  Transmit\n"
            + " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n"
            + "    lo:     100       2    0    0    0     0          0         0      100       2    0    0    0     0       0          0\n"
            + "  eth0:    1500      10    0    0    0     0          0         0      900       7    0    0    0     0       0          0\n";
        var nets = HostCpu.ParseNetDev(netDev);
        Assert.Equal(["eth0"], nets.Keys);
        Assert.Equal((1500UL, 10UL, 900UL, 7UL), nets["eth0"]);

        Assert.Equal(1500UL * 10_000_000, HostCpu.ReadSystemCpuNanos("cpu  1000 100 200 100 50 25 25 0 0 0\ncpu0 1 2 3\n"));
    }

    [Theory]
    [InlineData(0x0000, 0)]
    [InlineData(0x0300, 3)]
    [InlineData(0x000f, 143)]
    [InlineData(0x0009, 137)]
    [InlineData(0x0089, 137)]
    public void WaitStatus_MapsSignalsTo128PlusN(int status, int exitCode) => Assert.Equal(exitCode, WaitStatus.ToExitCode(status));
}
