using Berth.Containers;
using Berth.Containers.Create;
using Berth.Containers.Model;
using Berth.Core.Errors;

namespace Berth.Tests.Unit.Containers;

public sealed class CreateRulesTests
{
    private static readonly ContainerServiceOptions Options = new() { DataRoot = "/tmp/x", CpuCount = 2 };

    private static string Error(HostConfig hc) =>
        Assert.Throws<BerthException>(() => CreateValidator.PrepareHostConfig(hc, Options)).Message;

    [Fact]
    public void Restart_policy_validation_uses_dockers_messages()
    {
        Assert.Equal("invalid restart policy: maximum retry count can only be used with 'on-failure'", Error(new HostConfig { RestartPolicy = new RestartPolicy("no", 3) }));
        Assert.Equal("invalid restart policy: maximum retry count cannot be negative", Error(new HostConfig { RestartPolicy = new RestartPolicy("on-failure", -1) }));
        Assert.StartsWith("invalid restart policy: unknown policy 'sometimes'", Error(new HostConfig { RestartPolicy = new RestartPolicy("sometimes", 0) }), StringComparison.Ordinal);
        Assert.Equal("can't create 'AutoRemove' container with restart policy", Error(new HostConfig { AutoRemove = true, RestartPolicy = new RestartPolicy("always", 0) }));
    }

    [Fact]
    public void Limits_the_kernel_cannot_apply_are_discarded_with_dockers_warnings()
    {
        var none = Options with
        {
            CgroupFeatures = new Berth.Platform.Cgroups.CgroupFeatures
            {
                MemorySwappiness = false, BlkioWeight = false, BlkioWeightDevice = false, BlkioReadBpsDevice = false,
                BlkioWriteBpsDevice = false, BlkioReadIOpsDevice = false, BlkioWriteIOpsDevice = false,
            },
        };
        var (hc, warnings) = CreateValidator.PrepareHostConfig(new HostConfig
        {
            Resources = new ResourceSpec
            {
                MemorySwappiness = 10,
                BlkioWeight = 5,
                BlkioWeightDevice = [new("/dev/sda", 200)],
                BlkioDeviceReadBps = [new("/dev/sda", 1024)],
                BlkioDeviceWriteBps = [new("/dev/sda", 1024)],
                BlkioDeviceReadIOps = [new("/dev/sda", 10)],
                BlkioDeviceWriteIOps = [new("/dev/sda", 10)],
            },
        }, none);
        Assert.Equal(7, warnings.Count);
        Assert.Contains("Your kernel does not support Block I/O weight or the cgroup is not mounted. Weight discarded.", warnings);
        Assert.Contains("Your kernel does not support memory swappiness capabilities or the cgroup is not mounted. Memory swappiness discarded.", warnings);
        Assert.Null(hc.Resources.MemorySwappiness);
        Assert.Equal(0, hc.Resources.BlkioWeight);
        Assert.Empty(hc.Resources.BlkioWeightDevice);
        Assert.Empty(hc.Resources.BlkioDeviceReadBps);
        Assert.Empty(hc.Resources.BlkioDeviceWriteIOps);

        // Where the kernel has them they stay, and are still range-checked.
        var (kept, none2) = CreateValidator.PrepareHostConfig(new HostConfig { Resources = new ResourceSpec { MemorySwappiness = 10, BlkioDeviceReadBps = [new("/dev/sda", 1024)] } }, Options);
        Assert.Empty(none2);
        Assert.Equal(10, kept.Resources.MemorySwappiness);
        Assert.Single(kept.Resources.BlkioDeviceReadBps);
        Assert.Equal("Range of blkio weight is from 10 to 1000", Error(new HostConfig { Resources = new ResourceSpec { BlkioWeight = 5 } }));
        Assert.Equal("Invalid value: 101, valid memory swappiness range is 0-100", Error(new HostConfig { Resources = new ResourceSpec { MemorySwappiness = 101 } }));
    }

    [Theory]
    [InlineData("c 42:* rmw", "c", 42L, null, "rmw")]
    [InlineData("a *:* rwm", "a", null, null, "rwm")]
    [InlineData("b 8:0 r", "b", 8L, 0L, "r")]
    public void Device_cgroup_rules_parse_as_dockerd_parses_them(string rule, string type, long? major, long? minor, string access)
    {
        var r = Berth.Runtime.Oci.OciSpecBuilder.ParseDeviceCgroupRule(rule);
        Assert.Equal((true, type, major, minor, access), (r.Allow, r.Type, r.Major, r.Minor, r.Access));
    }

    [Theory]
    [InlineData("c 42 rmw")]
    [InlineData("x 1:1 r")]
    [InlineData("c 1:1 rx")]
    [InlineData("c 1:1")]
    [InlineData("c  1:1 r")]
    [InlineData("c -1:1 r")]
    public void Bad_device_cgroup_rules_are_refused_at_create(string rule) =>
        Assert.Equal($"invalid device cgroup rule format: '{rule}'", Error(new HostConfig { Resources = new ResourceSpec { DeviceCgroupRules = [rule] } }));

    [Fact]
    public void Resource_conflicts_are_refused()
    {
        Assert.Equal("Conflicting options: Nano CPUs and CPU Quota cannot both be set", Error(new HostConfig { Resources = new ResourceSpec { NanoCpus = 1_000_000_000, CpuQuota = 50_000 } }));
        Assert.Equal("Minimum memory limit allowed is 6MB", Error(new HostConfig { Resources = new ResourceSpec { Memory = 1024 } }));
        Assert.Equal("range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available", Error(new HostConfig { Resources = new ResourceSpec { NanoCpus = 3_000_000_000 } }));
        Assert.Equal("invalid CapAdd: unknown capability: \"CAP_FLY\"", Error(new HostConfig { CapAdd = ["fly"] }));
    }

    [Fact]
    public void Defaults_are_filled_in_as_docker_does()
    {
        var (hc, warnings) = CreateValidator.PrepareHostConfig(new HostConfig { NetworkMode = "default", Runtime = "", LogConfig = new LogConfig { Type = "" }, Resources = new ResourceSpec { Memory = 64 << 20, PidsLimit = 0 } }, Options);
        Assert.Empty(warnings);
        Assert.Equal("bridge", hc.NetworkMode);
        Assert.Equal("runc", hc.Runtime);
        Assert.Equal("json-file", hc.LogConfig.Type);
        Assert.Equal(128L << 20, hc.Resources.MemorySwap);
        Assert.Null(hc.Resources.PidsLimit);
        Assert.Equal(64L << 20, hc.ShmSize);
        Assert.Equal("host", hc.CgroupnsMode);
        Assert.Equal("private", hc.IpcMode);
    }

    [Fact]
    public void Binds_tmpfs_and_volumes()
    {
        var bind = MountParser.ParseBind("/srv/data:/data:ro");
        Assert.Equal(("bind", "/srv/data", "/data", false, "rprivate"), (bind.Type, bind.Source, bind.Destination, bind.RW, bind.Propagation));
        var named = MountParser.ParseBind("mydata:/data");
        Assert.Equal(("volume", "mydata", "/data"), (named.Type, named.Name, named.Destination));
        Assert.Equal(["nosuid", "nodev", "noexec", "size=67108864", "mode=1777"], MountParser.TmpfsOptions("size=64m,mode=1777"));
        Assert.Equal(["nosuid", "nodev", "exec"], MountParser.TmpfsOptions("exec"));
    }

    [Fact]
    public void Config_validation()
    {
        Assert.Equal("the working directory 'rel' is invalid, it needs to be an absolute path", Assert.Throws<BerthException>(() => CreateValidator.ValidateConfig(new ContainerConfig { WorkingDir = "rel" })).Message);
        Assert.Equal("Invalid signal: SIGFOO", Assert.Throws<BerthException>(() => CreateValidator.ValidateConfig(new ContainerConfig { StopSignal = "SIGFOO" })).Message);
        Assert.Equal("Interval in Healthcheck cannot be less than 1ms", Assert.Throws<BerthException>(() => CreateValidator.ValidateConfig(new ContainerConfig { Healthcheck = new Berth.Core.Model.HealthConfig { Interval = 10 } })).Message);
    }

    [Theory]
    [InlineData("SIGTERM", 15)]
    [InlineData("term", 15)]
    [InlineData("9", 9)]
    [InlineData("SIGRTMIN+3", 37)]
    [InlineData("HUP", 1)]
    public void Signals_parse_names_and_numbers(string raw, int expected) => Assert.Equal(expected, Signals.Parse(raw));
}
