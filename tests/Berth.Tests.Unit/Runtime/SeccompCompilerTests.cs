using Berth.Runtime.Oci;

namespace Berth.Tests.Unit.Runtime;

public sealed class SeccompCompilerTests
{
    private static readonly Version Kernel = new(6, 18);

    [Fact]
    public void DefaultProfile_Shape()
    {
        var s = SeccompCompiler.Compile(SeccompCompiler.DefaultProfile, Capabilities.Default, "amd64", Kernel);
        Assert.Equal("SCMP_ACT_ERRNO", s.DefaultAction);
        Assert.Equal(1u, s.DefaultErrnoRet);
        Assert.Equal(["SCMP_ACT_ERRNO"], s.Syscalls.Where(c => c.Names.Contains("clone3")).Select(c => c.Action));
        Assert.Equal(38u, s.Syscalls.Single(c => c.Names.Contains("clone3")).ErrnoRet);
        Assert.Equal(["SCMP_ARCH_X86_64", "SCMP_ARCH_X86", "SCMP_ARCH_X32"], s.Architectures);

        var allowed = s.Syscalls.Where(c => c.Action == "SCMP_ACT_ALLOW" && c.Args is null).SelectMany(c => c.Names).ToHashSet();
        foreach (var name in new[] { "read", "write", "openat", "execve", "arch_prctl", "chroot", "ptrace", "io_uring_setup", "clock_gettime" })
        {
            Assert.Contains(name, allowed);
        }

        foreach (var name in new[] { "mount", "umount2", "unshare", "setns", "reboot", "init_module", "kexec_load", "bpf", "perf_event_open", "syslog", "open_by_handle_at", "acct" })
        {
            Assert.DoesNotContain(name, allowed);
        }

        var clone = s.Syscalls.Single(c => c.Names.SequenceEqual(["clone"]));
        Assert.Equal(("SCMP_CMP_MASKED_EQ", 0u, 0x7E020000UL, 0UL), (clone.Args![0].Op, clone.Args[0].Index, clone.Args[0].Value, clone.Args[0].ValueTwo));
        Assert.Equal(5, s.Syscalls.Count(c => c.Names.SequenceEqual(["personality"])));
        // Every address family but AF_ALG (38) and AF_VSOCK (40), as current Docker's profile.
        Assert.Equal(
            [("SCMP_CMP_LT", 38UL), ("SCMP_CMP_EQ", 39UL), ("SCMP_CMP_GT", 40UL)],
            s.Syscalls.Where(c => c.Names.SequenceEqual(["socket"])).Select(c => (c.Args![0].Op, c.Args[0].Value)));
    }

    [Fact]
    public void Capabilities_UnlockTheirSyscalls()
    {
        var caps = Capabilities.Default.Append("CAP_SYS_ADMIN").Append("CAP_SYS_PTRACE").ToList();
        var s = SeccompCompiler.Compile(SeccompCompiler.DefaultProfile, caps, "amd64", Kernel);
        var allowed = s.Syscalls.Where(c => c.Action == "SCMP_ACT_ALLOW" && c.Args is null).SelectMany(c => c.Names).ToHashSet();
        Assert.Contains("mount", allowed);
        Assert.Contains("setns", allowed);
        Assert.Contains("kcmp", allowed);
        Assert.DoesNotContain(s.Syscalls, c => c.Names.Contains("clone3") && c.Action == "SCMP_ACT_ERRNO");
        Assert.DoesNotContain(s.Syscalls, c => c.Names.SequenceEqual(["clone"]) && c.Args is not null);
    }

    [Fact]
    public void Arches_AndKernel_Filter()
    {
        var arm = SeccompCompiler.Compile(SeccompCompiler.DefaultProfile, Capabilities.Default, "arm64", Kernel);
        Assert.Equal(["SCMP_ARCH_AARCH64", "SCMP_ARCH_ARM"], arm.Architectures);
        Assert.DoesNotContain(arm.Syscalls, c => c.Names.Contains("arch_prctl"));
        Assert.Contains(arm.Syscalls, c => c.Names.Contains("set_tls"));

        var old = SeccompCompiler.Compile(SeccompCompiler.DefaultProfile, Capabilities.Default, "amd64", new Version(4, 4));
        Assert.DoesNotContain(old.Syscalls, c => c.Names.Contains("ptrace"));

        var nativeOnly = SeccompCompiler.Compile(SeccompCompiler.DefaultProfile, Capabilities.Default, "amd64", Kernel, includeSubArchitectures: false);
        Assert.Equal(["SCMP_ARCH_X86_64"], nativeOnly.Architectures);
    }
}
