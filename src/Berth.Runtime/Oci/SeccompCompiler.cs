using System.Runtime.InteropServices;
using System.Text.Json;

namespace Berth.Runtime.Oci;

/// <summary>
/// Turns a Docker-format seccomp profile into the OCI form for one container, applying the
/// profile's conditions the way Docker does: a rule with includes.caps needs every listed
/// capability, excludes.caps drops the rule if the container has any of them, arches and
/// minKernel filter by host.
/// </summary>
public static class SeccompCompiler
{
    private static readonly Lazy<SeccompProfile> Default = new(LoadDefault);

    public static SeccompProfile DefaultProfile => Default.Value;

    public static SeccompProfile ParseProfile(string json) =>
        JsonSerializer.Deserialize(json, OciJsonContext.Default.SeccompProfile)
        ?? throw new JsonException("empty seccomp profile");

    /// <summary>Docker's GOARCH name of this host ("amd64", "arm64", ...).</summary>
    public static string HostArch => RuntimeInformation.OSArchitecture switch
    {
        Architecture.X64 => "amd64",
        Architecture.Arm64 => "arm64",
        Architecture.X86 => "386",
        Architecture.Arm => "arm",
        Architecture.S390x => "s390x",
        Architecture.RiscV64 => "riscv64",
        Architecture.Ppc64le => "ppc64le",
        _ => "unknown",
    };

    /// <param name="profile">Docker-format profile.</param>
    /// <param name="capabilities">The container's bounding set ("CAP_…").</param>
    /// <param name="arch">Docker's GOARCH name of the host.</param>
    /// <param name="kernel">Host kernel version.</param>
    /// <param name="includeSubArchitectures">
    /// Also filter the archMap's sub-architectures (x86 and x32 on amd64), as Docker does. Only
    /// the daemon's "builtin-native" default turns it off (<see cref="SeccompDefault.BuiltinNative"/>).
    /// </param>
    public static OciSeccomp Compile(SeccompProfile profile, IReadOnlyCollection<string> capabilities, string arch, Version kernel, bool includeSubArchitectures = true)
    {
        ArgumentNullException.ThrowIfNull(profile);
        ArgumentNullException.ThrowIfNull(capabilities);
        var result = new OciSeccomp
        {
            DefaultAction = profile.DefaultAction,
            DefaultErrnoRet = profile.DefaultErrnoRet,
        };

        if (profile.Architectures is { Count: > 0 } explicitArches)
        {
            result.Architectures.AddRange(explicitArches);
        }
        else if (profile.ArchMap is not null)
        {
            var native = ScmpArch(arch);
            foreach (var m in profile.ArchMap)
            {
                if (m.Architecture == native)
                {
                    result.Architectures.Add(m.Architecture);
                    if (includeSubArchitectures)
                    {
                        result.Architectures.AddRange(m.SubArchitectures ?? []);
                    }
                }
            }
        }

        foreach (var rule in profile.Syscalls)
        {
            if (!Applies(rule, capabilities, arch, kernel))
            {
                continue;
            }

            var names = rule.Names is { Count: > 0 } n ? n : rule.Name is { } single ? [single] : [];
            if (names.Count == 0)
            {
                continue;
            }

            result.Syscalls.Add(new OciSyscall
            {
                Names = [.. names],
                Action = rule.Action,
                ErrnoRet = rule.ErrnoRet,
                Args = rule.Args?.Select(a => new OciSyscallArg { Index = a.Index, Value = a.Value, ValueTwo = a.ValueTwo, Op = a.Op }).ToList(),
            });
        }

        return result;
    }

    private static bool Applies(SeccompRule rule, IReadOnlyCollection<string> caps, string arch, Version kernel)
    {
        if (rule.Excludes is { } ex)
        {
            if (ex.Arches is not null && ex.Arches.Contains(arch))
            {
                return false;
            }

            if (ex.Caps is not null && ex.Caps.Any(caps.Contains))
            {
                return false;
            }

            if (ex.MinKernel is { } exMin && Version.TryParse(exMin, out var exV) && kernel >= exV)
            {
                return false;
            }
        }

        if (rule.Includes is { } inc)
        {
            if (inc.Arches is not null && !inc.Arches.Contains(arch))
            {
                return false;
            }

            if (inc.Caps is not null && !inc.Caps.All(caps.Contains))
            {
                return false;
            }

            if (inc.MinKernel is { } min && Version.TryParse(min, out var v) && kernel < v)
            {
                return false;
            }
        }

        return true;
    }

    private static string ScmpArch(string goArch) => goArch switch
    {
        "amd64" => "SCMP_ARCH_X86_64",
        "arm64" => "SCMP_ARCH_AARCH64",
        "386" => "SCMP_ARCH_X86",
        "arm" => "SCMP_ARCH_ARM",
        "s390x" => "SCMP_ARCH_S390X",
        "riscv64" => "SCMP_ARCH_RISCV64",
        "ppc64le" => "SCMP_ARCH_PPC64LE",
        _ => goArch,
    };

    /// <summary>The running kernel's version ("6.18.0-..." → 6.18.0).</summary>
    public static Version HostKernel()
    {
        try
        {
            var release = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
            var numeric = new string(release.TakeWhile(c => char.IsDigit(c) || c == '.').ToArray()).TrimEnd('.');
            return Version.TryParse(numeric.Count(c => c == '.') == 0 ? numeric + ".0" : numeric, out var v) ? v : new Version(0, 0);
        }
        catch (IOException)
        {
            return new Version(0, 0);
        }
    }

    private static SeccompProfile LoadDefault()
    {
        using var stream = typeof(SeccompCompiler).Assembly.GetManifestResourceStream("Berth.Runtime.default-seccomp.json")
            ?? throw new InvalidOperationException("default seccomp profile resource missing");
        return JsonSerializer.Deserialize(stream, OciJsonContext.Default.SeccompProfile)
            ?? throw new InvalidOperationException("default seccomp profile is empty");
    }
}
