using Berth.Core.Model;
using Berth.Runtime;
using Berth.Runtime.Oci;

namespace Berth.Tests.Unit.Runtime;

public sealed class OciRlimitsTests
{
    private static readonly OciSpecBuilder Builder = new("/usr/bin/tini-static", "amd64", new Version(6, 18), _ => [], hostCapabilities: Capabilities.All);

    private static ContainerLaunch Launch(params Ulimit[] ulimits) => new()
    {
        Id = "abc",
        Name = "x",
        Rootfs = new RootfsMount(["/l"], "/u", "/w"),
        Process = new ProcessLaunch { Args = ["sh"] },
        CgroupPath = "/berth/abc",
        LogPath = "/tmp/x.log",
        Ulimits = ulimits,
    };

    [Fact]
    public void Without_ulimits_the_spec_has_no_rlimits_so_the_engines_are_inherited()
    {
        Assert.Null(Builder.Build(Launch(), null, null).Process.Rlimits);
    }

    [Fact]
    public void Ulimits_become_process_rlimits_and_minus_one_is_infinity()
    {
        var spec = Builder.Build(Launch(new Ulimit("nofile", 1024, 2048), new Ulimit("core", -1, -1)), null, null);
        var rl = spec.Process.Rlimits!;
        Assert.Equal(["RLIMIT_NOFILE", "RLIMIT_CORE"], rl.Select(r => r.Type));
        Assert.Equal((1024UL, 2048UL), (rl[0].Soft, rl[0].Hard));
        Assert.Equal((ulong.MaxValue, ulong.MaxValue), (rl[1].Soft, rl[1].Hard));

        // exec processes keep the container's limits
        var exec = OciSpecBuilder.BuildExecProcess(spec, new ExecLaunch { Args = ["true"] }, null, null);
        Assert.Equal(rl, exec.Rlimits);
    }
}
