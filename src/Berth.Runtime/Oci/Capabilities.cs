using Berth.Core.Errors;

namespace Berth.Runtime.Oci;

/// <summary>Docker's capability rules: the default set, cap-add/cap-drop with ALL, privileged.</summary>
public static class Capabilities
{
    /// <summary>Every capability of Linux up to CAP_CHECKPOINT_RESTORE (40), in kernel order.</summary>
    public static IReadOnlyList<string> All { get; } =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN",
        "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
        "CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE",
        "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
        "CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND",
        "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
    ];

    /// <summary>Docker's default set for unprivileged containers.</summary>
    public static IReadOnlyList<string> Default { get; } =
    [
        "CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_FSETID", "CAP_FOWNER", "CAP_MKNOD", "CAP_NET_RAW", "CAP_SETGID",
        "CAP_SETUID", "CAP_SETFCAP", "CAP_SETPCAP", "CAP_NET_BIND_SERVICE", "CAP_SYS_CHROOT", "CAP_KILL",
        "CAP_AUDIT_WRITE",
    ];

    /// <summary>
    /// The capabilities this process may hand on (its bounding set, from /proc/self/status). In a
    /// nested or restricted host some are missing; "all" then means all of these.
    /// </summary>
    public static IReadOnlyList<string> ReadHostBounding()
    {
        try
        {
            foreach (var line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("CapBnd:", StringComparison.Ordinal))
                {
                    var mask = ulong.Parse(line.AsSpan(7).Trim(), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
                    return All.Where((_, bit) => (mask & (1UL << bit)) != 0).ToList();
                }
            }
        }
        catch (IOException)
        {
        }

        return All;
    }

    /// <summary>Docker's TweakCapabilities: privileged → all; cap-add ALL → all but drops; cap-drop ALL → only adds.</summary>
    /// <param name="add">--cap-add values.</param>
    /// <param name="drop">--cap-drop values.</param>
    /// <param name="privileged">--privileged.</param>
    /// <param name="available">What "all" means on this host (default: every capability).</param>
    public static List<string> Compute(IReadOnlyList<string> add, IReadOnlyList<string> drop, bool privileged, IReadOnlyList<string>? available = null)
    {
        ArgumentNullException.ThrowIfNull(add);
        ArgumentNullException.ThrowIfNull(drop);
        var all = available ?? All;
        if (privileged)
        {
            return [.. all];
        }

        var adds = Normalize(add);
        var drops = Normalize(drop);
        if (adds.Count == 0 && drops.Count == 0)
        {
            return [.. Default];
        }

        if (adds.Contains("ALL"))
        {
            return all.Where(c => !drops.Contains(c)).ToList();
        }

        if (drops.Contains("ALL"))
        {
            return adds.Distinct().ToList();
        }

        var result = Default.Where(c => !drops.Contains(c)).ToList();
        foreach (var c in adds)
        {
            if (!result.Contains(c))
            {
                result.Add(c);
            }
        }

        return result;
    }

    /// <summary>Upper-cases, adds CAP_ and validates names (ALL passes through).</summary>
    public static List<string> Normalize(IEnumerable<string> names)
    {
        var result = new List<string>();
        foreach (var raw in names)
        {
            var name = raw.Trim().ToUpperInvariant();
            if (name == "ALL")
            {
                result.Add(name);
                continue;
            }

            if (!name.StartsWith("CAP_", StringComparison.Ordinal))
            {
                name = "CAP_" + name;
            }

            if (!All.Contains(name))
            {
                throw BerthException.Invalid($"unknown capability: \"{name}\"");
            }

            result.Add(name);
        }

        return result;
    }
}
