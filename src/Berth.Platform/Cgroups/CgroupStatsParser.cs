using System.Globalization;

namespace Berth.Platform.Cgroups;

/// <summary>
/// Turns cgroup files into <see cref="CgroupStats"/>. Pure: it is handed a reader that maps a
/// file name ("cpuacct/cpuacct.usage" for v1 controllers, "cpu.stat" for v2) to its text or null,
/// so tests feed captured contents.
/// </summary>
public static class CgroupStatsParser
{
    private const ulong UserHz = 100;
    private const ulong NanosPerTick = 1_000_000_000 / UserHz;

    /// <summary>cgroup v1: one directory per controller.</summary>
    public static CgroupStats ParseV1(Func<string, string?> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        var cpuStat = ParseKeyValues(read("cpuacct/cpuacct.stat"));
        var memStat = ParseKeyValues(read("memory/memory.stat"));
        var (blkRead, blkWrite) = ParseBlkioV1(read("blkio/blkio.throttle.io_service_bytes"));
        return new CgroupStats
        {
            CpuTotalNanos = ParseULong(read("cpuacct/cpuacct.usage")),
            CpuUserNanos = Get(cpuStat, "user") * NanosPerTick,
            CpuSystemNanos = Get(cpuStat, "system") * NanosPerTick,
            PerCpuNanos = ParseList(read("cpuacct/cpuacct.usage_percpu")),
            MemoryUsage = ParseULong(read("memory/memory.usage_in_bytes")),
            MemoryLimit = ParseULong(read("memory/memory.limit_in_bytes")),
            MemoryMaxUsage = ParseULong(read("memory/memory.max_usage_in_bytes")),
            MemoryStats = memStat,
            PidsCurrent = ParseULong(read("pids/pids.current")),
            PidsLimit = ParseULong(read("pids/pids.max")),
            BlkioReadBytes = blkRead,
            BlkioWriteBytes = blkWrite,
        };
    }

    /// <summary>cgroup v2: one unified directory.</summary>
    public static CgroupStats ParseV2(Func<string, string?> read)
    {
        ArgumentNullException.ThrowIfNull(read);
        var cpuStat = ParseKeyValues(read("cpu.stat"));
        var memStat = ParseKeyValues(read("memory.stat"));
        var (ioRead, ioWrite) = ParseIoStatV2(read("io.stat"));
        return new CgroupStats
        {
            CpuTotalNanos = Get(cpuStat, "usage_usec") * 1000,
            CpuUserNanos = Get(cpuStat, "user_usec") * 1000,
            CpuSystemNanos = Get(cpuStat, "system_usec") * 1000,
            MemoryUsage = ParseULong(read("memory.current")),
            MemoryLimit = ParseULong(read("memory.max")),
            MemoryMaxUsage = ParseULong(read("memory.peak")),
            MemoryStats = memStat,
            PidsCurrent = ParseULong(read("pids.current")),
            PidsLimit = ParseULong(read("pids.max")),
            BlkioReadBytes = ioRead,
            BlkioWriteBytes = ioWrite,
        };
    }

    /// <summary>"key value" lines (memory.stat, cpu.stat, cpuacct.stat).</summary>
    public static Dictionary<string, ulong> ParseKeyValues(string? text)
    {
        var result = new Dictionary<string, ulong>(StringComparer.Ordinal);
        if (text is null)
        {
            return result;
        }

        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            if (space > 0 && ulong.TryParse(line.AsSpan(space + 1).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var v))
            {
                result[line[..space]] = v;
            }
        }

        return result;
    }

    /// <summary>A single number; "max" (v2 unlimited) and missing files read as 0.</summary>
    public static ulong ParseULong(string? text)
    {
        if (text is null)
        {
            return 0;
        }

        var t = text.AsSpan().Trim();
        return ulong.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out var v) ? v : 0;
    }

    private static ulong[] ParseList(string? text)
    {
        if (text is null)
        {
            return [];
        }

        var parts = text.Split([' ', '\n'], StringSplitOptions.RemoveEmptyEntries);
        var result = new ulong[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            result[i] = ulong.Parse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture);
        }

        return result;
    }

    /// <summary>"8:0 Read 1234" lines plus a "Total" line; sums Read and Write over devices.</summary>
    private static (ulong Read, ulong Write) ParseBlkioV1(string? text)
    {
        ulong read = 0, write = 0;
        if (text is null)
        {
            return (0, 0);
        }

        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length != 3 || !ulong.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var v))
            {
                continue;
            }

            if (parts[1] == "Read")
            {
                read += v;
            }
            else if (parts[1] == "Write")
            {
                write += v;
            }
        }

        return (read, write);
    }

    /// <summary>"8:0 rbytes=1 wbytes=2 rios=3 ..." per device.</summary>
    private static (ulong Read, ulong Write) ParseIoStatV2(string? text)
    {
        ulong read = 0, write = 0;
        if (text is null)
        {
            return (0, 0);
        }

        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var field in line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1))
            {
                var eq = field.IndexOf('=', StringComparison.Ordinal);
                if (eq < 0 || !ulong.TryParse(field.AsSpan(eq + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var v))
                {
                    continue;
                }

                var key = field.AsSpan(0, eq);
                if (key.SequenceEqual("rbytes"))
                {
                    read += v;
                }
                else if (key.SequenceEqual("wbytes"))
                {
                    write += v;
                }
            }
        }

        return (read, write);
    }

    private static ulong Get(Dictionary<string, ulong> d, string key) => d.TryGetValue(key, out var v) ? v : 0;
}
