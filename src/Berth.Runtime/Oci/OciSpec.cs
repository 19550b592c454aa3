using System.Text.Json.Serialization;

namespace Berth.Runtime.Oci;

// The subset of the OCI runtime-spec 1.0.2 config.json that Berth writes. Property names are
// the spec's (camelCase via the serializer context); null members are omitted.
#pragma warning disable SA1402, CA1002, CA2227, CA1819 // plain data: one file, mutable lists for building

public sealed class OciSpec
{
    public string OciVersion { get; set; } = "1.0.2";

    public OciProcess Process { get; set; } = new();

    public OciRoot Root { get; set; } = new();

    public string? Hostname { get; set; }

    public string? Domainname { get; set; }

    public List<OciMount> Mounts { get; set; } = [];

    public OciLinux Linux { get; set; } = new();
}

public sealed class OciProcess
{
    public bool Terminal { get; set; }

    public OciUser User { get; set; } = new();

    public List<string> Args { get; set; } = [];

    public List<string> Env { get; set; } = [];

    public string Cwd { get; set; } = "/";

    public OciCapabilities? Capabilities { get; set; }

    public List<OciRlimit>? Rlimits { get; set; }

    public bool NoNewPrivileges { get; set; }

    public int? OomScoreAdj { get; set; }

    public OciBox? ConsoleSize { get; set; }
}

public sealed class OciBox
{
    public uint Height { get; set; }

    public uint Width { get; set; }
}

public sealed class OciUser
{
    public uint Uid { get; set; }

    public uint Gid { get; set; }

    public List<uint>? AdditionalGids { get; set; }
}

public sealed class OciCapabilities
{
    public List<string> Bounding { get; set; } = [];

    public List<string> Effective { get; set; } = [];

    public List<string> Permitted { get; set; } = [];
}

public sealed class OciRlimit
{
    public string Type { get; set; } = string.Empty;

    public ulong Hard { get; set; }

    public ulong Soft { get; set; }
}

public sealed class OciRoot
{
    public string Path { get; set; } = "rootfs";

    public bool Readonly { get; set; }
}

public sealed class OciMount
{
    public string Destination { get; set; } = string.Empty;

    public string? Type { get; set; }

    public string? Source { get; set; }

    public List<string>? Options { get; set; }
}

public sealed class OciLinux
{
    public Dictionary<string, string>? Sysctl { get; set; }

    public OciResources? Resources { get; set; }

    public string? CgroupsPath { get; set; }

    public List<OciNamespace> Namespaces { get; set; } = [];

    public List<OciDevice>? Devices { get; set; }

    public OciSeccomp? Seccomp { get; set; }

    public List<string>? MaskedPaths { get; set; }

    public List<string>? ReadonlyPaths { get; set; }
}

public sealed class OciNamespace
{
    public string Type { get; set; } = string.Empty;

    public string? Path { get; set; }
}

public sealed class OciDevice
{
    public string Path { get; set; } = string.Empty;

    public string Type { get; set; } = "c";

    public long Major { get; set; }

    public long Minor { get; set; }

    public uint? FileMode { get; set; }

    public uint? Uid { get; set; }

    public uint? Gid { get; set; }
}

public sealed class OciResources
{
    public List<OciDeviceRule>? Devices { get; set; }

    public OciMemory? Memory { get; set; }

    public OciCpu? Cpu { get; set; }

    public OciPids? Pids { get; set; }

    public OciBlockIo? BlockIO { get; set; }
}

public sealed class OciDeviceRule
{
    public bool Allow { get; set; }

    public string? Type { get; set; }

    public long? Major { get; set; }

    public long? Minor { get; set; }

    public string? Access { get; set; }
}

public sealed class OciMemory
{
    public long? Limit { get; set; }

    public long? Reservation { get; set; }

    public long? Swap { get; set; }

    public bool? DisableOOMKiller { get; set; }

    public ulong? Swappiness { get; set; }
}

public sealed class OciCpu
{
    public ulong? Shares { get; set; }

    public long? Quota { get; set; }

    public ulong? Period { get; set; }

    public string? Cpus { get; set; }

    public string? Mems { get; set; }
}

public sealed class OciPids
{
    public long Limit { get; set; }
}

public sealed class OciBlockIo
{
    public ushort? Weight { get; set; }

    public List<OciWeightDevice>? WeightDevice { get; set; }

    public List<OciThrottleDevice>? ThrottleReadBpsDevice { get; set; }

    public List<OciThrottleDevice>? ThrottleWriteBpsDevice { get; set; }

    public List<OciThrottleDevice>? ThrottleReadIOPSDevice { get; set; }

    public List<OciThrottleDevice>? ThrottleWriteIOPSDevice { get; set; }
}

public sealed class OciWeightDevice
{
    public long Major { get; set; }

    public long Minor { get; set; }

    public ushort? Weight { get; set; }
}

public sealed class OciThrottleDevice
{
    public long Major { get; set; }

    public long Minor { get; set; }

    public ulong Rate { get; set; }
}

public sealed class OciSeccomp
{
    public string DefaultAction { get; set; } = "SCMP_ACT_ERRNO";

    public uint? DefaultErrnoRet { get; set; }

    public List<string> Architectures { get; set; } = [];

    public List<OciSyscall> Syscalls { get; set; } = [];
}

public sealed class OciSyscall
{
    public List<string> Names { get; set; } = [];

    public string Action { get; set; } = "SCMP_ACT_ALLOW";

    public uint? ErrnoRet { get; set; }

    public List<OciSyscallArg>? Args { get; set; }
}

public sealed class OciSyscallArg
{
    public uint Index { get; set; }

    public ulong Value { get; set; }

    public ulong ValueTwo { get; set; }

    public string Op { get; set; } = string.Empty;
}

[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    WriteIndented = false)]
[JsonSerializable(typeof(OciSpec))]
[JsonSerializable(typeof(OciProcess))]
[JsonSerializable(typeof(OciResources))]
[JsonSerializable(typeof(SeccompProfile))]
public sealed partial class OciJsonContext : JsonSerializerContext;
