using Berth.Core.Errors;

namespace Berth.Containers.Create;

/// <summary>Linux capability names: validation and normalisation to "CAP_X" as Docker does.</summary>
public static class Capabilities
{
    private static readonly HashSet<string> Known = new(StringComparer.Ordinal)
    {
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
        "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
        "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
        "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
        "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
        "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
        "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
        "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    };

    /// <summary>Checks every entry ("ALL", "NET_ADMIN", "cap_net_admin"); field is "CapAdd" or "CapDrop".</summary>
    public static void Validate(IReadOnlyList<string>? caps, string field)
    {
        if (caps is null)
        {
            return;
        }

        foreach (var c in caps)
        {
            var n = Normalize(c);
            if (n != "ALL" && !Known.Contains(n))
            {
                throw BerthException.Invalid($"invalid {field}: unknown capability: \"{n}\"");
            }
        }
    }

    public static string Normalize(string cap)
    {
        var u = cap.Trim().ToUpperInvariant();
        return u == "ALL" || u.StartsWith("CAP_", StringComparison.Ordinal) ? u : "CAP_" + u;
    }
}
