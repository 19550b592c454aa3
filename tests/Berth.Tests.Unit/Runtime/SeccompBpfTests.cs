using Berth.Runtime.Oci;

namespace Berth.Tests.Unit.Runtime;

/// <summary>The OCI seccomp section compiled to BPF with the host's libseccomp (as runc would).</summary>
public sealed class SeccompBpfTests
{
    [Fact]
    public void DockersDefaultProfile_CompilesToAProgramOfWholeInstructions()
    {
        var oci = SeccompCompiler.Compile(SeccompCompiler.DefaultProfile, Capabilities.Default.ToList(), SeccompCompiler.HostArch, SeccompCompiler.HostKernel(), includeSubArchitectures: false);
        var bpf = SeccompBpf.Compile(oci);
        Assert.True(bpf.Length >= 8 * 50, $"a {bpf.Length}-byte program is too small for Docker's profile");
        Assert.Equal(0, bpf.Length % 8);
    }

    [Fact]
    public void UnknownSyscalls_AreSkipped_AsRuncDoes_AndOtherRulesStillCount()
    {
        var small = SeccompBpf.Compile(Profile(["read"]));
        var withUnknown = SeccompBpf.Compile(Profile(["read", "no_such_syscall_here"]));
        Assert.Equal(small, withUnknown);
        Assert.NotEqual(small, SeccompBpf.Compile(Profile(["read", "write"])));
    }

    [Fact]
    public void ActionsItCannotServe_AreRefusedSoTheRuntimePathIsUsed()
    {
        var notify = Profile(["read"]);
        notify.Syscalls[0].Action = "SCMP_ACT_NOTIFY";
        Assert.Throws<NotSupportedException>(() => SeccompBpf.Compile(notify));
    }

    private static OciSeccomp Profile(List<string> allowed) => new()
    {
        DefaultAction = "SCMP_ACT_ERRNO",
        DefaultErrnoRet = 1,
        Architectures = [],
        Syscalls = [new OciSyscall { Names = allowed, Action = "SCMP_ACT_ALLOW" }],
    };
}
