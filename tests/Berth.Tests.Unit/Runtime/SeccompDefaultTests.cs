using Berth.Core.Errors;
using Berth.Core.Model;
using Berth.Runtime;
using Berth.Runtime.Oci;

namespace Berth.Tests.Unit.Runtime;

/// <summary>The daemon's default seccomp profile (--seccomp-profile) as the spec builder applies it.</summary>
public sealed class SeccompDefaultTests
{
    private static OciSpecBuilder Builder(SeccompDefault? seccomp) =>
        new("/usr/bin/tini-static", "amd64", new Version(6, 18), _ => [], seccomp, Capabilities.All);

    private static ContainerLaunch Launch(params string[] securityOpt) => new()
    {
        Id = "abc",
        Name = "x",
        Rootfs = new RootfsMount(["/l"], "/u", "/w"),
        Process = new ProcessLaunch { Args = ["sh"], Env = ["PATH=/bin"] },
        CgroupPath = "/berth/abc",
        LogPath = "/tmp/x.log",
        SecurityOpt = securityOpt,
    };

    [Fact]
    public void ByDefault_ContainersGetDockersProfile_With32BitArchitectures()
    {
        var spec = Builder(null).Build(Launch(), null, null);
        Assert.Equal(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], spec.Linux.Seccomp!.Architectures);
        Assert.Equal(spec.Linux.Seccomp.Architectures, Builder(SeccompDefault.Parse("builtin")).Build(Launch(), null, null).Linux.Seccomp!.Architectures);
        Assert.Equal(spec.Linux.Seccomp.Architectures, Builder(SeccompDefault.Parse(string.Empty)).Build(Launch(), null, null).Linux.Seccomp!.Architectures);
    }

    [Fact]
    public void BuiltinNative_KeepsTheRules_ForTheNativeArchitectureOnly()
    {
        var docker = Builder(null).Build(Launch(), null, null).Linux.Seccomp!;
        var native = Builder(SeccompDefault.Parse("builtin-native")).Build(Launch(), null, null).Linux.Seccomp!;
        Assert.Equal(["SCMP_ARCH_X86_64"], native.Architectures);
        Assert.Equal(docker.DefaultAction, native.DefaultAction);
        Assert.Equal(docker.Syscalls.SelectMany(s => s.Names), native.Syscalls.SelectMany(s => s.Names));

        // A container asking for Docker's profile by name gets all of it.
        var asked = Builder(SeccompDefault.Parse("builtin-native")).Build(Launch("seccomp=builtin"), null, null).Linux.Seccomp!;
        Assert.Equal(docker.Architectures, asked.Architectures);
    }

    [Fact]
    public void Unconfined_Default_LeavesContainersWithoutAFilter_UnlessTheyNameOne()
    {
        var builder = Builder(SeccompDefault.Parse("unconfined"));
        Assert.Null(builder.Build(Launch(), null, null).Linux.Seccomp);
        Assert.NotNull(builder.Build(Launch("seccomp=builtin"), null, null).Linux.Seccomp);
    }

    [Fact]
    public void ProfileFile_IsReadAtParse_AndUsedWithItsSubArchitectures()
    {
        var path = Path.Combine(Path.GetTempPath(), $"seccomp-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, """{"defaultAction":"SCMP_ACT_ALLOW","archMap":[{"architecture":"SCMP_ARCH_X86_64","subArchitectures":["SCMP_ARCH_X86"]}],"syscalls":[{"names":["mkdir"],"action":"SCMP_ACT_ERRNO"}]}""");
        try
        {
            var seccomp = SeccompDefault.Parse(path);
            Assert.Equal(path, seccomp.Name);
            var spec = Builder(seccomp).Build(Launch(), null, null).Linux.Seccomp!;
            Assert.Equal("SCMP_ACT_ALLOW", spec.DefaultAction);
            Assert.Equal(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86"], spec.Architectures);
            Assert.Equal(["mkdir"], spec.Syscalls.Single().Names);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void MissingOrMalformedProfileFile_IsRefusedWithDockersWords()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"absent-{Guid.NewGuid():N}.json");
        var e = Assert.Throws<BerthException>(() => SeccompDefault.Parse(missing));
        Assert.StartsWith($"opening seccomp profile ({missing}) failed", e.Message, StringComparison.Ordinal);

        var bad = Path.Combine(Path.GetTempPath(), $"bad-{Guid.NewGuid():N}.json");
        File.WriteAllText(bad, "{not json");
        try
        {
            Assert.Throws<BerthException>(() => SeccompDefault.Parse(bad));
        }
        finally
        {
            File.Delete(bad);
        }
    }
}
