using Berth.Platform.Isolation;

namespace Berth.Runtime.Oci;

/// <summary>
/// Compiles a container's OCI seccomp section to BPF with libseccomp, following runc's reading
/// of it: syscalls this host's libseccomp does not know are skipped, rules repeating the default
/// action are dropped, and a rule with several conditions on the same argument becomes one rule
/// per condition (any of them matches) rather than one rule needing all of them.
/// </summary>
public static class SeccompBpf
{
    public static byte[] Compile(OciSeccomp seccomp)
    {
        ArgumentNullException.ThrowIfNull(seccomp);
        var defaultAction = SeccompProgram.Action(seccomp.DefaultAction, seccomp.DefaultErrnoRet);
        var arches = new List<uint>();
        foreach (var name in seccomp.Architectures)
        {
            arches.Add(SeccompProgram.Architecture(name) ?? throw new NotSupportedException($"seccomp architecture {name} is unknown here"));
        }

        var rules = new List<(int, uint, IReadOnlyList<SeccompArg>)>();
        foreach (var call in seccomp.Syscalls)
        {
            var action = SeccompProgram.Action(call.Action, call.ErrnoRet);
            var args = (call.Args ?? []).Select(a => new SeccompArg(a.Index, Op(a.Op), a.Value, a.ValueTwo)).ToList();
            var repeated = args.GroupBy(a => a.Index).Any(g => g.Count() > 1);
            foreach (var name in call.Names)
            {
                if (SeccompProgram.SyscallNumber(name) is not { } nr)
                {
                    continue;
                }

                if (repeated)
                {
                    rules.AddRange(args.Select(a => (nr, action, (IReadOnlyList<SeccompArg>)[a])));
                }
                else
                {
                    rules.Add((nr, action, args));
                }
            }
        }

        return SeccompProgram.Compile(defaultAction, arches, rules);
    }

    private static SeccompOp Op(string name) => name switch
    {
        "SCMP_CMP_NE" => SeccompOp.NotEqual,
        "SCMP_CMP_LT" => SeccompOp.LessThan,
        "SCMP_CMP_LE" => SeccompOp.LessOrEqual,
        "SCMP_CMP_EQ" => SeccompOp.Equal,
        "SCMP_CMP_GE" => SeccompOp.GreaterOrEqual,
        "SCMP_CMP_GT" => SeccompOp.GreaterThan,
        "SCMP_CMP_MASKED_EQ" => SeccompOp.MaskedEqual,
        _ => throw new NotSupportedException($"seccomp operator {name} is unknown"),
    };
}
