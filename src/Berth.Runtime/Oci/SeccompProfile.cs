namespace Berth.Runtime.Oci;

#pragma warning disable SA1402, CA1002, CA2227 // plain data

/// <summary>
/// A seccomp profile in Docker's profile format (defaultAction, archMap, syscalls with
/// includes/excludes by capability, architecture and kernel). Berth's default profile ships as
/// the embedded resource default-seccomp.json in this format; user profiles
/// (--security-opt seccomp=file.json) use it too. <see cref="SeccompCompiler"/> turns it into the
/// OCI form for one container's capabilities.
/// </summary>
public sealed class SeccompProfile
{
    public string DefaultAction { get; set; } = "SCMP_ACT_ERRNO";

    public uint? DefaultErrnoRet { get; set; }

    public List<string>? Architectures { get; set; }

    public List<SeccompArchMap>? ArchMap { get; set; }

    public List<SeccompRule> Syscalls { get; set; } = [];
}

public sealed class SeccompArchMap
{
    public string Architecture { get; set; } = string.Empty;

    public List<string>? SubArchitectures { get; set; }
}

public sealed class SeccompRule
{
    public string? Name { get; set; }

    public List<string>? Names { get; set; }

    public string Action { get; set; } = "SCMP_ACT_ALLOW";

    public uint? ErrnoRet { get; set; }

    public List<SeccompRuleArg>? Args { get; set; }

    public SeccompFilter? Includes { get; set; }

    public SeccompFilter? Excludes { get; set; }

    public string? Comment { get; set; }
}

public sealed class SeccompRuleArg
{
    public uint Index { get; set; }

    public ulong Value { get; set; }

    public ulong ValueTwo { get; set; }

    public string Op { get; set; } = string.Empty;
}

public sealed class SeccompFilter
{
    public List<string>? Caps { get; set; }

    public List<string>? Arches { get; set; }

    public string? MinKernel { get; set; }
}
