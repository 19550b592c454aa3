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
        var named = Assert.Throws<BerthException>(() => MountParser.ParseBind("mydata:/data"));
        Assert.Equal(ErrorKind.NotImplemented, named.Kind);
        Assert.Contains("named volumes are not supported yet", named.Message, StringComparison.Ordinal);
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
