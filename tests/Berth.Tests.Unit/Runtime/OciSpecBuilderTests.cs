using Berth.Core.Errors;
using Berth.Core.Model;
using Berth.Platform.Files;
using Berth.Runtime;
using Berth.Runtime.Oci;

namespace Berth.Tests.Unit.Runtime;

public sealed class OciSpecBuilderTests
{
    private const string Passwd = "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n";
    private const string Group = "root:x:0:\nwheel:x:10:app,other\napp:x:1000:\n";

    private static readonly OciSpecBuilder Builder = new(
        "/usr/bin/tini-static",
        "amd64",
        new Version(6, 18),
        path => path == "/dev/fuse" ? [new DeviceNode("/dev/fuse", 'c', 10, 229, 0x1b6, 0, 0)] : path == "/dev" ? [new DeviceNode("/dev/null", 'c', 1, 3, 0x1b6, 0, 0)] : [],
        hostCapabilities: Capabilities.All);

    private static ContainerLaunch Launch(params string[] args) => new()
    {
        Id = "abc",
        Name = "x",
        Rootfs = new RootfsMount(["/l"], "/u", "/w"),
        Process = new ProcessLaunch { Args = args.Length > 0 ? args : ["sh"], Env = ["PATH=/bin"] },
        Hostname = "myhost",
        CgroupPath = "/berth/abc",
        LogPath = "/tmp/x.log",
    };

    [Fact]
    public void Masked_paths_include_each_cpus_thermal_throttle_directory_the_host_has()
    {
        var sys = Directory.CreateTempSubdirectory("cpu-");
        try
        {
            foreach (var d in new[] { "cpu0/thermal_throttle", "cpu1", "cpu10/thermal_throttle", "cpufreq/thermal_throttle", "cpuidle" })
            {
                Directory.CreateDirectory(Path.Combine(sys.FullName, d));
            }

            var masked = OciSpecBuilder.MaskedPathsFor(sys.FullName);
            Assert.Equal(
                ["/sys/devices/system/cpu/cpu0/thermal_throttle", "/sys/devices/system/cpu/cpu10/thermal_throttle"],
                masked.Where(p => p.Contains("thermal", StringComparison.Ordinal)));
            Assert.Contains("/proc/interrupts", masked);
        }
        finally
        {
            sys.Delete(recursive: true);
        }
    }

    [Fact]
    public void Defaults_AreDockers()
    {
        var spec = Builder.Build(Launch(), Passwd, Group);
        Assert.Equal("1.0.2", spec.OciVersion);
        Assert.Equal(Capabilities.Default, spec.Process.Capabilities!.Bounding);
        Assert.Equal(Capabilities.Default, spec.Process.Capabilities.Effective);
        Assert.Equal(OciSpecBuilder.DefaultMaskedPaths, spec.Linux.MaskedPaths);
        Assert.Contains("/proc/sched_debug", spec.Linux.MaskedPaths!);
        Assert.Contains("/sys/devices/virtual/powercap", spec.Linux.MaskedPaths!);
        Assert.Contains("/proc/interrupts", spec.Linux.MaskedPaths!);
        Assert.Equal(["/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"], spec.Linux.ReadonlyPaths);
        Assert.Equal(["/proc", "/dev", "/dev/pts", "/sys", "/sys/fs/cgroup", "/dev/mqueue", "/dev/shm"], spec.Mounts.Select(m => m.Destination));
        Assert.Contains("ro", spec.Mounts.Single(m => m.Destination == "/sys").Options!);
        Assert.Contains("size=67108864", spec.Mounts.Single(m => m.Destination == "/dev/shm").Options!);
        Assert.Equal(["mount", "network", "ipc", "pid", "uts"], spec.Linux.Namespaces.Select(n => n.Type));
        Assert.All(spec.Linux.Namespaces, n => Assert.Null(n.Path));
        Assert.Equal("myhost", spec.Hostname);
        Assert.Equal("/berth/abc", spec.Linux.CgroupsPath);
        Assert.Contains("HOME=/root", spec.Process.Env);
        Assert.Equal(0u, spec.Process.User.Uid);
        Assert.False(spec.Process.NoNewPrivileges);
        Assert.NotNull(spec.Linux.Seccomp);
        var rules = spec.Linux.Resources!.Devices!;
        Assert.False(rules[0].Allow);
        Assert.Contains(rules, r => r.Allow && r.Type == "c" && r.Major == 136 && r.Minor is null);
        Assert.Contains(rules, r => r.Allow && r.Type == "c" && r.Major == 1 && r.Minor == 3 && r.Access == "rwm");
    }

    [Fact]
    public void Privileged_GetsAllCaps_NoSeccomp_NoMaskedPaths_AllDevices()
    {
        var spec = Builder.Build(Launch() with { Privileged = true }, Passwd, Group);
        Assert.Equal(Capabilities.All, spec.Process.Capabilities!.Bounding);
        Assert.Null(spec.Linux.Seccomp);
        Assert.Null(spec.Linux.MaskedPaths);
        Assert.Null(spec.Linux.ReadonlyPaths);
        Assert.DoesNotContain("ro", spec.Mounts.Single(m => m.Destination == "/sys").Options!);
        Assert.Single(spec.Linux.Resources!.Devices!);
        Assert.True(spec.Linux.Resources.Devices![0].Allow);
        Assert.Contains(spec.Linux.Devices!, d => d.Path == "/dev/null");
    }

    [Fact]
    public void Privileged_OnARestrictedHost_GetsWhatTheHostHas()
    {
        var restricted = new OciSpecBuilder("/init", "amd64", new Version(6, 18), _ => [], hostCapabilities: ["CAP_CHOWN", "CAP_SYS_ADMIN"]);
        Assert.Equal(["CAP_CHOWN", "CAP_SYS_ADMIN"], restricted.Build(Launch() with { Privileged = true }, Passwd, Group).Process.Capabilities!.Bounding);
        Assert.Contains("CAP_CHOWN", Capabilities.ReadHostBounding());
    }

    [Fact]
    public void CapAddDrop_FollowDockerRules()
    {
        Assert.Equal([.. Capabilities.Default.Where(c => c != "CAP_NET_RAW"), "CAP_SYS_ADMIN"], Capabilities.Compute(["sys_admin"], ["NET_RAW"], false));
        Assert.Equal(["CAP_CHOWN"], Capabilities.Compute(["CHOWN"], ["ALL"], false));
        var all = Capabilities.Compute(["ALL"], ["CAP_SYS_ADMIN"], false);
        Assert.Equal(Capabilities.All.Count - 1, all.Count);
        Assert.DoesNotContain("CAP_SYS_ADMIN", all);
        Assert.Equal("unknown capability: \"CAP_BOGUS\"", Assert.Throws<BerthException>(() => Capabilities.Compute(["bogus"], [], false)).Message);
    }

    [Fact]
    public void Namespaces_FollowModes()
    {
        var spec = Builder.Build(Launch() with { NetworkMode = "host", PidMode = "host", IpcMode = "/proc/1/ns/ipc", UtsMode = "host" }, Passwd, Group);
        Assert.Equal(["mount", "ipc"], spec.Linux.Namespaces.Select(n => n.Type));
        Assert.Equal("/proc/1/ns/ipc", spec.Linux.Namespaces[1].Path);
        Assert.Null(spec.Hostname);
        Assert.DoesNotContain(spec.Mounts, m => m.Destination == "/dev/shm");

        var joined = Builder.Build(Launch() with { NetworkMode = "/run/netns/x" }, Passwd, Group);
        Assert.Equal("/run/netns/x", joined.Linux.Namespaces.Single(n => n.Type == "network").Path);
        Assert.Throws<BerthException>(() => Builder.Build(Launch() with { NetworkMode = "bridge" }, Passwd, Group));
    }

    [Fact]
    public void Init_Mounts_Resources_Sysctls_Devices()
    {
        var launch = Launch("sleep", "1") with
        {
            Init = true,
            ReadonlyRootfs = true,
            ShmSize = 1 << 20,
            Mounts =
            [
                new MountLaunch("/host/data", "/data", "bind", ["ro"]),
                new MountLaunch("tmpfs", "/run", "tmpfs", ["size=1m", "exec"]),
                new MountLaunch("/host/shm", "/dev/shm", "bind", []),
            ],
            Resources = new ContainerResources { Memory = 8 << 20, NanoCpus = 1_500_000_000, CpuShares = 512, PidsLimit = 100, BlkioWeight = 300, CpusetCpus = "0", OomScoreAdj = 500 },
            Sysctls = new Dictionary<string, string> { ["net.ipv4.ip_forward"] = "1" },
            Devices = [new DeviceLaunch("/dev/fuse", "/dev/myfuse", "rw")],
        };
        var spec = Builder.Build(launch, Passwd, Group);
        Assert.Equal(["/sbin/docker-init", "--", "sleep", "1"], spec.Process.Args);
        Assert.Equal("/usr/bin/tini-static", spec.Mounts.Single(m => m.Destination == "/sbin/docker-init").Source);
        Assert.True(spec.Root.Readonly);
        Assert.Equal(["rbind", "ro", "rprivate"], spec.Mounts.Single(m => m.Destination == "/data").Options);
        Assert.Equal(["size=1m", "nosuid", "nodev"], spec.Mounts.Single(m => m.Destination == "/run").Options);
        Assert.Equal("/host/shm", spec.Mounts.Single(m => m.Destination == "/dev/shm").Source);
        var r = spec.Linux.Resources!;
        Assert.Equal(8 << 20, r.Memory!.Limit);
        Assert.Equal(16 << 20, r.Memory.Swap);
        Assert.Equal(150_000, r.Cpu!.Quota);
        Assert.Equal(100_000UL, r.Cpu.Period);
        Assert.Equal(512UL, r.Cpu.Shares);
        Assert.Equal("0", r.Cpu.Cpus);
        Assert.Equal(100, r.Pids!.Limit);
        Assert.Equal((ushort)300, r.BlockIO!.Weight);
        Assert.Equal(500, spec.Process.OomScoreAdj);
        Assert.Equal("1", spec.Linux.Sysctl!["net.ipv4.ip_forward"]);
        var dev = Assert.Single(spec.Linux.Devices!);
        Assert.Equal(("/dev/myfuse", 10L, 229L), (dev.Path, dev.Major, dev.Minor));
        Assert.Contains(r.Devices!, d => d.Allow && d.Major == 10 && d.Minor == 229 && d.Access == "rw");
        Assert.Throws<BerthException>(() => Builder.Build(launch with { Devices = [new DeviceLaunch("/dev/nope", "", "rwm")] }, Passwd, Group));
    }

    [Fact]
    public void SecurityOptions_AreParsed_AndUnsupportedOnesRefused()
    {
        var spec = Builder.Build(Launch() with { SecurityOpt = ["no-new-privileges", "seccomp=unconfined"] }, Passwd, Group);
        Assert.True(spec.Process.NoNewPrivileges);
        Assert.Null(spec.Linux.Seccomp);
        Assert.Null(Builder.Build(Launch() with { SecurityOpt = ["systempaths=unconfined"] }, Passwd, Group).Linux.MaskedPaths);
        Assert.Equal(ErrorKind.NotImplemented, Assert.Throws<BerthException>(() => Builder.Build(Launch() with { SecurityOpt = ["apparmor=myprofile"] }, Passwd, Group)).Kind);
        Assert.Throws<BerthException>(() => Builder.Build(Launch() with { SecurityOpt = ["bogus"] }, Passwd, Group));
        var custom = Builder.Build(Launch() with { SecurityOpt = ["seccomp={\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"mkdir\"],\"action\":\"SCMP_ACT_ERRNO\"}]}"] }, Passwd, Group);
        Assert.Equal("SCMP_ACT_ALLOW", custom.Linux.Seccomp!.DefaultAction);
        Assert.Equal(["mkdir"], custom.Linux.Seccomp.Syscalls.Single().Names);
    }

    [Fact]
    public void A_non_root_user_gets_only_the_bounding_set_as_under_dockerd()
    {
        var spec = Builder.Build(Launch() with { Process = new ProcessLaunch { Args = ["sh"], User = "1000" } }, Passwd, Group);
        Assert.Equal(Capabilities.Default, spec.Process.Capabilities!.Bounding);
        Assert.Empty(spec.Process.Capabilities.Effective!);
        Assert.Empty(spec.Process.Capabilities.Permitted!);
        Assert.Equal(spec.Process.User.Gid, spec.Process.User.AdditionalGids![0]);
    }

    [Fact]
    public void Swappiness_block_io_limits_and_device_rules_reach_the_spec()
    {
        var spec = Builder.Build(Launch() with
        {
            Resources = new ContainerResources
            {
                MemorySwappiness = 0,
                BlkioWeightDevices = [new("/dev/null", 300)],
                BlkioReadBps = [new("/dev/null", 1_048_576)],
                BlkioWriteIOps = [new("/dev/zero", 100)],
            },
            DeviceCgroupRules = ["c 42:* rmw"],
        }, Passwd, Group);
        var res = spec.Linux.Resources!;
        Assert.Equal(0UL, res.Memory!.Swappiness);
        Assert.Null(res.Memory.Limit);
        Assert.Equal((1L, 3L, (ushort?)300), (res.BlockIO!.WeightDevice![0].Major, res.BlockIO.WeightDevice[0].Minor, res.BlockIO.WeightDevice[0].Weight));
        Assert.Equal((1L, 3L, 1_048_576UL), (res.BlockIO.ThrottleReadBpsDevice![0].Major, res.BlockIO.ThrottleReadBpsDevice[0].Minor, res.BlockIO.ThrottleReadBpsDevice[0].Rate));
        Assert.Equal((1L, 5L, 100UL), (res.BlockIO.ThrottleWriteIOPSDevice![0].Major, res.BlockIO.ThrottleWriteIOPSDevice[0].Minor, res.BlockIO.ThrottleWriteIOPSDevice[0].Rate));
        Assert.Null(res.BlockIO.ThrottleWriteBpsDevice);
        var rule = res.Devices!.Last();
        Assert.Equal(("c", 42L, (long?)null, "rmw"), (rule.Type, rule.Major!.Value, rule.Minor, rule.Access));
        Assert.Equal("stat /dev/no-such-disk: no such file or directory", Assert.Throws<BerthException>(() =>
            Builder.Build(Launch() with { Resources = new ContainerResources { BlkioReadBps = [new("/dev/no-such-disk", 1)] } }, Passwd, Group)).Message);
    }

    [Fact]
    public void ExecProcess_InheritsContainerSettings()
    {
        var container = Builder.Build(Launch() with { SecurityOpt = ["no-new-privileges"] }, Passwd, Group);
        var p = OciSpecBuilder.BuildExecProcess(container, new ExecLaunch { Args = ["ls"], Env = ["PATH=/usr/bin", "X=1"], User = "app" }, Passwd, Group);
        Assert.Equal(new[] { "PATH=/usr/bin", "HOME=/root", "X=1" }.Order(), p.Env.Order());
        Assert.Equal(1000u, p.User.Uid);
        Assert.True(p.NoNewPrivileges);
        Assert.Equal(Capabilities.Default, p.Capabilities!.Bounding);
        Assert.Empty(p.Capabilities.Effective!);
        Assert.Empty(p.Capabilities.Permitted!);
        Assert.Equal(Capabilities.All, OciSpecBuilder.BuildExecProcess(container, new ExecLaunch { Args = ["ls"], Privileged = true }, Passwd, Group, Capabilities.All).Capabilities!.Bounding);

        // A host without CAP_SYS_RESOURCE cannot hand it on: --privileged means the host's set.
        var restricted = Capabilities.All.Where(c => c != "CAP_SYS_RESOURCE").ToList();
        Assert.Equal(restricted, OciSpecBuilder.BuildExecProcess(container, new ExecLaunch { Args = ["ls"], Privileged = true }, Passwd, Group, restricted).Capabilities!.Bounding);
    }

    [Fact]
    public void Spec_SerializesWithSpecNames()
    {
        var json = System.Text.Json.JsonSerializer.Serialize(Builder.Build(Launch(), Passwd, Group), OciJsonContext.Default.OciSpec);
        Assert.Contains("\"ociVersion\":\"1.0.2\"", json, StringComparison.Ordinal);
        Assert.Contains("\"cgroupsPath\":\"/berth/abc\"", json, StringComparison.Ordinal);
        Assert.Contains("\"maskedPaths\":[", json, StringComparison.Ordinal);
        Assert.Contains("\"defaultErrnoRet\":1", json, StringComparison.Ordinal);
        Assert.DoesNotContain("null", json, StringComparison.Ordinal);
    }
}
