using System.Buffers.Binary;
using System.Text;
using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Runtime;

/// <summary>
/// The daemon's default seccomp profile (--seccomp-profile / daemon.json "seccomp-profile"):
/// Docker's profile lets 32-bit x86 binaries make system calls; Berth's faster
/// "builtin-native" does not; a profile file becomes every container's default.
/// </summary>
public sealed class SeccompProfileTests : IAsyncLifetime
{
    private const string Message = "32-bit syscalls work\n";
    private readonly string _dir = Path.Combine("/tmp", $"berth-seccomp-{Environment.ProcessId}-{Guid.NewGuid():N}");

    public Task InitializeAsync()
    {
        Directory.CreateDirectory(_dir);
        var binary = Path.Combine(_dir, "hello32");
        File.WriteAllBytes(binary, Hello32());
        File.SetUnixFileMode(binary, UnixFileMode.UserRead | UnixFileMode.UserExecute | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        return Task.CompletedTask;
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_dir, recursive: true);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task ByDefault_A32BitBinary_MakesSystemCalls_InRunAndExec()
    {
        await using var d = await BerthDaemon.StartAsync("scdef");
        await d.LoadBusyboxAsync();

        var run = await d.DockerAsync("run", "--rm", "-v", $"{_dir}:/x:ro", "busybox", "/x/hello32");
        Assert.True(run.ExitCode == Message.Length && run.Out == Message.TrimEnd('\n'), $"run: {run}\n{d.Log}");

        await d.DockerOkAsync("run", "-d", "--name", "box", "-v", $"{_dir}:/x:ro", "busybox", "sleep", "1000");
        var exec = await d.DockerAsync("exec", "box", "/x/hello32");
        Assert.True(exec.ExitCode == Message.Length && exec.Out == Message.TrimEnd('\n'), $"exec: {exec}\n{d.Log}");

        Assert.Contains("name=seccomp,profile=builtin", await d.DockerOkAsync("info", "--format", "{{json .SecurityOptions}}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task BuiltinNative_FromDaemonJson_Refuses32BitSystemCalls_ButNotNativeOnes()
    {
        var config = Path.Combine(_dir, "daemon.json");
        await File.WriteAllTextAsync(config, """{"seccomp-profile": "builtin-native"}""");
        await using var d = await BerthDaemon.StartAsync("scnat", "--config-file", config);
        await d.LoadBusyboxAsync();

        // The first 32-bit system call meets the filter's bad-architecture action: SIGSYS.
        var run = await d.DockerAsync("run", "--rm", "-v", $"{_dir}:/x:ro", "busybox", "/x/hello32");
        Assert.True(run.ExitCode == 128 + 31 && run.Out.Length == 0, $"run: {run}\n{d.Log}");

        await d.DockerOkAsync("run", "-d", "--name", "box", "-v", $"{_dir}:/x:ro", "busybox", "sleep", "1000");
        var exec = await d.DockerAsync("exec", "box", "/x/hello32");
        Assert.True(exec.ExitCode == 128 + 31 && exec.Out.Length == 0, $"exec: {exec}\n{d.Log}");

        // Still Docker's filter for native calls, and a container may ask for the full one.
        Assert.Equal("2", await d.DockerOkAsync("run", "--rm", "busybox", "sh", "-c", "grep Seccomp: /proc/self/status | tr -dc 0-9"));
        var builtin = await d.DockerAsync("run", "--rm", "--security-opt", "seccomp=builtin", "-v", $"{_dir}:/x:ro", "busybox", "/x/hello32");
        Assert.True(builtin.ExitCode == Message.Length, $"seccomp=builtin: {builtin}");
        Assert.Contains("name=seccomp,profile=builtin-native", await d.DockerOkAsync("info", "--format", "{{json .SecurityOptions}}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProfileFile_IsEveryContainersDefault_AndUnconfinedTurnsItOff()
    {
        var profile = Path.Combine(_dir, "no-mkdir.json");
        await File.WriteAllTextAsync(profile, """{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["mkdir","mkdirat"],"action":"SCMP_ACT_ERRNO"}]}""");
        await using (var d = await BerthDaemon.StartAsync("scfile", "--seccomp-profile", profile))
        {
            await d.LoadBusyboxAsync();
            var denied = await d.DockerAsync("run", "--rm", "busybox", "mkdir", "/tmp/d");
            Assert.True(denied.ExitCode == 1 && denied.Stderr.Contains("Operation not permitted", StringComparison.Ordinal), $"{denied}\n{d.Log}");
            await d.DockerOkAsync("run", "--rm", "--security-opt", "seccomp=unconfined", "busybox", "mkdir", "/tmp/d");
        }

        await using var u = await BerthDaemon.StartAsync("scunc", "--seccomp-profile", "unconfined");
        await u.LoadBusyboxAsync();
        Assert.Equal("0", await u.DockerOkAsync("run", "--rm", "busybox", "sh", "-c", "grep Seccomp: /proc/self/status | tr -dc 0-9"));
        Assert.Contains("name=seccomp,profile=unconfined", await u.DockerOkAsync("info", "--format", "{{json .SecurityOptions}}"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingProfileFile_StopsTheDaemonAtStart()
    {
        var missing = Path.Combine(_dir, "absent.json");
        var r = await Shell.RunAsync(RepoPaths.Daemon, ["--seccomp-profile", missing, "-H", $"unix://{_dir}/d.sock", "--data-root", Path.Combine(_dir, "data"), "--exec-root", Path.Combine(_dir, "exec")]);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains($"opening seccomp profile ({missing}) failed", r.Stderr, StringComparison.Ordinal);
    }

    /// <summary>
    /// A static i386 ELF, hand-assembled: write(1, Message, len) through int 0x80, then exit with
    /// write's result (the message length when the call was allowed).
    /// </summary>
    private static byte[] Hello32()
    {
        const uint Base = 0x08048000;
        const int CodeOffset = 52 + 32; // ELF header + one program header
        var msg = Encoding.ASCII.GetBytes(Message);
        var code = new List<byte>();
        void Mov(byte opcode, uint value)
        {
            code.Add(opcode);
            var b = new byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(b, value);
            code.AddRange(b);
        }

        Mov(0xB8, 4);                               // mov eax, 4 (write)
        Mov(0xBB, 1);                               // mov ebx, 1 (stdout)
        Mov(0xB9, Base + CodeOffset + 31);          // mov ecx, msg (after the 31 code bytes)
        Mov(0xBA, (uint)msg.Length);                // mov edx, len
        code.AddRange([0xCD, 0x80]);                // int 0x80
        code.AddRange([0x89, 0xC3]);                // mov ebx, eax
        Mov(0xB8, 1);                               // mov eax, 1 (exit)
        code.AddRange([0xCD, 0x80]);                // int 0x80
        Assert.Equal(31, code.Count);

        var total = CodeOffset + code.Count + msg.Length;
        var elf = new byte[total];
        var s = elf.AsSpan();
        "\u007fELF"u8.CopyTo(s);
        s[4] = 1; // ELFCLASS32
        s[5] = 1; // little endian
        s[6] = 1; // EV_CURRENT
        BinaryPrimitives.WriteUInt16LittleEndian(s[16..], 2);        // ET_EXEC
        BinaryPrimitives.WriteUInt16LittleEndian(s[18..], 3);        // EM_386
        BinaryPrimitives.WriteUInt32LittleEndian(s[20..], 1);        // e_version
        BinaryPrimitives.WriteUInt32LittleEndian(s[24..], Base + CodeOffset); // e_entry
        BinaryPrimitives.WriteUInt32LittleEndian(s[28..], 52);       // e_phoff
        BinaryPrimitives.WriteUInt16LittleEndian(s[40..], 52);       // e_ehsize
        BinaryPrimitives.WriteUInt16LittleEndian(s[42..], 32);       // e_phentsize
        BinaryPrimitives.WriteUInt16LittleEndian(s[44..], 1);        // e_phnum
        var ph = s[52..];
        BinaryPrimitives.WriteUInt32LittleEndian(ph, 1);             // PT_LOAD
        BinaryPrimitives.WriteUInt32LittleEndian(ph[8..], Base);     // p_vaddr
        BinaryPrimitives.WriteUInt32LittleEndian(ph[12..], Base);    // p_paddr
        BinaryPrimitives.WriteUInt32LittleEndian(ph[16..], (uint)total); // p_filesz
        BinaryPrimitives.WriteUInt32LittleEndian(ph[20..], (uint)total); // p_memsz
        BinaryPrimitives.WriteUInt32LittleEndian(ph[24..], 5);       // PF_R | PF_X
        BinaryPrimitives.WriteUInt32LittleEndian(ph[28..], 0x1000);  // p_align
        code.ToArray().CopyTo(s[CodeOffset..]);
        msg.CopyTo(s[(CodeOffset + code.Count)..]);
        return elf;
    }
}
