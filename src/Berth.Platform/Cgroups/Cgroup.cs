namespace Berth.Platform.Cgroups;

/// <summary>
/// Locates a container's cgroup (cgroupfs layout, as runc creates it from cgroupsPath) on v1 or
/// v2 and reads what the engine needs: stats, processes, freezer and OOM state.
/// </summary>
public sealed class Cgroup
{
    private readonly string _root;

    public Cgroup(string cgroupPath, string root = "/sys/fs/cgroup", bool? unified = null)
    {
        Path = "/" + cgroupPath.Trim('/');
        _root = root;
        IsUnified = unified ?? DetectUnified(root);
    }

    /// <summary>The cgroup path relative to the hierarchy root ("/berth/&lt;id&gt;").</summary>
    public string Path { get; }

    /// <summary>True on a pure cgroup v2 host (memory controller in the unified hierarchy).</summary>
    public bool IsUnified { get; }

    public static bool DetectUnified(string root = "/sys/fs/cgroup")
    {
        var controllers = System.IO.Path.Combine(root, "cgroup.controllers");
        return File.Exists(controllers) && File.ReadAllText(controllers).Contains("memory", StringComparison.Ordinal);
    }

    /// <summary>Directory of a controller ("memory", "pids", ...) for this cgroup.</summary>
    public string Dir(string controller) =>
        IsUnified ? _root + Path : System.IO.Path.Combine(_root, controller) + Path;

    public CgroupStats ReadStats()
    {
        if (IsUnified)
        {
            return CgroupStatsParser.ParseV2(name => TryRead(_root + Path + "/" + name));
        }

        return CgroupStatsParser.ParseV1(name =>
        {
            var slash = name.IndexOf('/', StringComparison.Ordinal);
            return TryRead(Dir(name[..slash]) + "/" + name[(slash + 1)..]);
        });
    }

    /// <summary>Host pids of every process in the cgroup.</summary>
    public IReadOnlyList<int> ReadPids()
    {
        var text = TryRead(Dir(IsUnified ? string.Empty : "pids") + "/cgroup.procs")
            ?? TryRead(Dir("memory") + "/cgroup.procs")
            ?? string.Empty;
        var pids = new List<int>();
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            if (int.TryParse(line, System.Globalization.CultureInfo.InvariantCulture, out var pid))
            {
                pids.Add(pid);
            }
        }

        return pids;
    }

    /// <summary>True when the freezer holds the cgroup (paused).</summary>
    public bool IsFrozen()
    {
        if (IsUnified)
        {
            var events = TryRead(_root + Path + "/cgroup.events");
            return events is not null && CgroupStatsParser.ParseKeyValues(events).TryGetValue("frozen", out var f) && f == 1;
        }

        var state = TryRead(Dir("freezer") + "/freezer.state");
        return state is not null && state.Trim() is "FROZEN" or "FREEZING";
    }

    /// <summary>How many processes the kernel OOM-killed in this cgroup (0 when unknown).</summary>
    public ulong ReadOomKillCount()
    {
        if (IsUnified)
        {
            return CgroupStatsParser.ParseKeyValues(TryRead(_root + Path + "/memory.events")).GetValueOrDefault("oom_kill");
        }

        return ParseOomControl(TryRead(Dir("memory") + "/memory.oom_control")).OomKill;
    }

    /// <summary>memory.oom_control (v1): "oom_kill_disable 0\nunder_oom 0\noom_kill 1".</summary>
    public static (bool UnderOom, ulong OomKill) ParseOomControl(string? text)
    {
        var kv = CgroupStatsParser.ParseKeyValues(text);
        return (kv.GetValueOrDefault("under_oom") == 1, kv.GetValueOrDefault("oom_kill"));
    }

    private static string? TryRead(string path)
    {
        try
        {
            return File.ReadAllText(path);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }
}
