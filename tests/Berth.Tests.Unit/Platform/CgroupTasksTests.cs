using Berth.Platform.Isolation;

namespace Berth.Tests.Unit.Platform;

public sealed class CgroupTasksTests
{
    private const string HybridMountinfo =
        "22 27 0:21 / /proc rw,relatime - proc proc rw\n" +
        "30 29 0:26 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup2 rw\n" +
        "31 29 0:27 / /sys/fs/cgroup/systemd rw,relatime - cgroup cgroup rw,xattr,name=systemd\n" +
        "32 29 0:28 / /sys/fs/cgroup/cpu,cpuacct rw,relatime - cgroup cgroup rw,cpu,cpuacct\n" +
        "33 29 0:29 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n" +
        "34 29 0:30 /nested /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n";

    private const string Membership =
        "4:pids:/nested/berth/abc\n" +
        "3:memory:/berth/abc\n" +
        "2:cpu,cpuacct:/berth/abc\n" +
        "1:name=systemd:/berth/abc\n" +
        "0::/berth/abc\n";

    [Fact]
    public void Hybrid_ThreadJoinsEveryV1Hierarchy_AndTheProcessTheV2OneWhenItHasControllers()
    {
        var mounts = CgroupTasks.ParseCgroupMounts(HybridMountinfo);
        var placement = CgroupTasks.Resolve(Membership, mounts, _ => "hugetlb\n")!;

        Assert.Equal(
            [
                "/sys/fs/cgroup/pids/berth/abc/tasks", // the mount's own root is stripped
                "/sys/fs/cgroup/memory/berth/abc/tasks",
                "/sys/fs/cgroup/cpu,cpuacct/berth/abc/tasks", // co-mounted controllers match one mount
                "/sys/fs/cgroup/systemd/berth/abc/tasks",
            ],
            placement.ThreadTaskFiles);
        Assert.Equal("/sys/fs/cgroup/unified/berth/abc/cgroup.procs", placement.UnifiedProcsFile);
    }

    [Fact]
    public void Hybrid_WithoutV2Controllers_LeavesTheV2HierarchyAlone()
    {
        var placement = CgroupTasks.Resolve(Membership, CgroupTasks.ParseCgroupMounts(HybridMountinfo), _ => "\n")!;
        Assert.Equal(4, placement.ThreadTaskFiles.Count);
        Assert.Null(placement.UnifiedProcsFile);
    }

    [Fact]
    public void PureV2_CannotPlaceAThread()
    {
        var mounts = CgroupTasks.ParseCgroupMounts("30 29 0:26 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw,nsdelegate\n");
        Assert.Null(CgroupTasks.Resolve("0::/berth/abc\n", mounts, _ => "cpuset cpu io memory pids\n"));
    }

    [Fact]
    public void HierarchiesThisNamespaceDoesNotShow_AreSkipped()
    {
        var mounts = CgroupTasks.ParseCgroupMounts("33 29 0:29 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n");
        var placement = CgroupTasks.Resolve("5:blkio:/berth/abc\n3:memory:/berth/abc\n", mounts, _ => null)!;
        Assert.Equal(["/sys/fs/cgroup/memory/berth/abc/tasks"], placement.ThreadTaskFiles);
    }
}
