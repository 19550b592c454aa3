using System.Globalization;

namespace Berth.Platform.Cgroups;

/// <summary>Host-wide CPU time and network counters from /proc, for stats percentages.</summary>
public static class HostCpu
{
    private const ulong NanosPerTick = 10_000_000;

    /// <summary>Sum of the "cpu" line of /proc/stat in nanoseconds (as Docker's system_cpu_usage).</summary>
    public static ulong ReadSystemCpuNanos(string? procStat = null)
    {
        procStat ??= File.ReadAllText("/proc/stat");
        foreach (var line in procStat.Split('\n'))
        {
            if (line.StartsWith("cpu ", StringComparison.Ordinal))
            {
                ulong total = 0;
                foreach (var f in line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Take(7))
                {
                    total += ulong.Parse(f, CultureInfo.InvariantCulture);
                }

                return total * NanosPerTick;
            }
        }

        return 0;
    }

    /// <summary>/proc/&lt;pid&gt;/net/dev: interface → (rx bytes, rx packets, tx bytes, tx packets), lo excluded.</summary>
    public static Dictionary<string, (ulong RxBytes, ulong RxPackets, ulong TxBytes, ulong TxPackets)> ParseNetDev(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var result = new Dictionary<string, (ulong, ulong, ulong, ulong)>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon < 0)
            {
                continue;
            }

            var name = line[..colon].Trim();
            if (name == "lo" || name.Contains('|', StringComparison.Ordinal))
            {
                continue;
            }

            var f = line[(colon + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 10)
            {
                continue;
            }

            result[name] = (P(f[0]), P(f[1]), P(f[8]), P(f[9]));
        }

        return result;

        static ulong P(string s) => ulong.Parse(s, CultureInfo.InvariantCulture);
    }
}
