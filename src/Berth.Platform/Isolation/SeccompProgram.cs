using System.Runtime.InteropServices;
using Berth.Platform.Native;

namespace Berth.Platform.Isolation;

/// <summary>One argument condition of a seccomp rule (libseccomp's scmp_arg_cmp).</summary>
public readonly record struct SeccompArg(uint Index, SeccompOp Op, ulong Value, ulong ValueTwo);

/// <summary>libseccomp's comparison operators, by value.</summary>
public enum SeccompOp
{
    NotEqual = 1,
    LessThan = 2,
    LessOrEqual = 3,
    Equal = 4,
    GreaterOrEqual = 5,
    GreaterThan = 6,
    MaskedEqual = 7,
}

/// <summary>
/// Compiles a seccomp filter with libseccomp (the library runc uses, so the same rules give the
/// same program) into classic BPF, and loads such a program on the calling thread.
/// </summary>
public static unsafe partial class SeccompProgram
{
    private const string Lib = "libseccomp.so.2";
    private const int AttrNoNewPrivs = 3;

    /// <summary>SCMP_ACT_* value of an OCI/Docker action name with its errno.</summary>
    public static uint Action(string name, uint? errno) => name switch
    {
        "SCMP_ACT_KILL" or "SCMP_ACT_KILL_THREAD" => 0x00000000,
        "SCMP_ACT_KILL_PROCESS" => 0x80000000,
        "SCMP_ACT_TRAP" => 0x00030000,
        "SCMP_ACT_ERRNO" => 0x00050000 | ((errno ?? 1) & 0xffff),
        "SCMP_ACT_TRACE" => 0x7ff00000 | ((errno ?? 1) & 0xffff),
        "SCMP_ACT_LOG" => 0x7ffc0000,
        "SCMP_ACT_ALLOW" => 0x7fff0000,
        _ => throw new NotSupportedException($"seccomp action {name} is not supported here"),
    };

    /// <summary>Kernel syscall number of <paramref name="name"/> on this host, or null when libseccomp does not know it.</summary>
    public static int? SyscallNumber(string name)
    {
        var nr = seccomp_syscall_resolve_name(name);
        return nr == -1 ? null : nr;
    }

    /// <summary>Audit architecture token of "SCMP_ARCH_X86_64"-style names, or null when unknown.</summary>
    public static uint? Architecture(string ociName)
    {
        var name = ociName.StartsWith("SCMP_ARCH_", StringComparison.Ordinal) ? ociName["SCMP_ARCH_".Length..].ToLowerInvariant() : ociName;
        var token = seccomp_arch_resolve_name(name);
        return token == 0 ? null : token;
    }

    /// <summary>Builds the filter and returns its BPF program (8 bytes per instruction).</summary>
    /// <param name="defaultAction">SCMP_ACT value for syscalls no rule matches.</param>
    /// <param name="architectures">Audit tokens to add besides the native one.</param>
    /// <param name="rules">(syscall number, action, conditions that must all hold).</param>
    public static byte[] Compile(uint defaultAction, IEnumerable<uint> architectures, IEnumerable<(int Syscall, uint Action, IReadOnlyList<SeccompArg> Args)> rules)
    {
        ArgumentNullException.ThrowIfNull(architectures);
        ArgumentNullException.ThrowIfNull(rules);
        var ctx = seccomp_init(defaultAction);
        if (ctx == 0)
        {
            throw new InvalidOperationException("seccomp_init failed");
        }

        try
        {
            Check(seccomp_attr_set(ctx, AttrNoNewPrivs, 0), "seccomp_attr_set");
            foreach (var arch in architectures)
            {
                var rc = seccomp_arch_add(ctx, arch);
                if (rc != 0 && rc != -17)
                {
                    Check(rc, "seccomp_arch_add");
                }
            }

            var args = stackalloc ulong[3 * 6];
            foreach (var (syscall, action, conditions) in rules)
            {
                if (action == defaultAction)
                {
                    continue; // libseccomp refuses rules that repeat the default
                }

                var count = Math.Min(conditions.Count, 6);
                for (var i = 0; i < count; i++)
                {
                    // struct scmp_arg_cmp { unsigned int arg; enum scmp_compare op; u64 datum_a; u64 datum_b; }
                    args[(i * 3) + 0] = conditions[i].Index | ((ulong)(uint)conditions[i].Op << 32);
                    args[(i * 3) + 1] = conditions[i].Value;
                    args[(i * 3) + 2] = conditions[i].ValueTwo;
                }

                Check(seccomp_rule_add_array(ctx, action, syscall, (uint)count, args), "seccomp_rule_add");
            }

            var (read, write) = Fd.Pipe();
            try
            {
                // Write the program from another thread: a large filter can exceed the pipe buffer.
                var export = Task.Run(() =>
                {
                    try
                    {
                        return seccomp_export_bpf(ctx, write);
                    }
                    finally
                    {
                        Fd.Close(write);
                    }
                });
                using var buffer = new MemoryStream();
                var chunk = new byte[16 * 1024];
                int n;
                while ((n = Fd.Read(read, chunk)) > 0)
                {
                    buffer.Write(chunk, 0, n);
                }

                Check(export.GetAwaiter().GetResult(), "seccomp_export_bpf");
                return buffer.ToArray();
            }
            finally
            {
                Fd.Close(read);
            }
        }
        finally
        {
            seccomp_release(ctx);
        }
    }

    /// <summary>Loads a compiled program on the calling thread only; it is inherited by the processes that thread starts.</summary>
    public static void LoadOnCurrentThread(ReadOnlySpan<byte> bpf) => Syscalls.LoadSeccompFilter(bpf);

    private static void Check(int rc, string what)
    {
        if (rc < 0)
        {
            throw new ErrnoException(what, -rc);
        }
    }

    [LibraryImport(Lib)]
    private static partial nint seccomp_init(uint defaultAction);

    [LibraryImport(Lib)]
    private static partial void seccomp_release(nint ctx);

    [LibraryImport(Lib)]
    private static partial int seccomp_attr_set(nint ctx, int attr, uint value);

    [LibraryImport(Lib)]
    private static partial int seccomp_arch_add(nint ctx, uint arch);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    private static partial uint seccomp_arch_resolve_name(string name);

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int seccomp_syscall_resolve_name(string name);

    [LibraryImport(Lib)]
    private static partial int seccomp_rule_add_array(nint ctx, uint action, int syscall, uint count, ulong* args);

    [LibraryImport(Lib)]
    private static partial int seccomp_export_bpf(nint ctx, int fd);
}
