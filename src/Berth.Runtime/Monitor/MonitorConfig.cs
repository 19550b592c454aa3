using System.Globalization;
using System.Text;

namespace Berth.Runtime.Monitor;

/// <summary>
/// What the monitor (berth-shim) needs to run one container, written by the daemon into the
/// container's state directory as "key=value" lines: trivial to parse in a tiny AOT binary and
/// readable by people debugging a host.
/// <para>
/// <see cref="Version"/> is the version of the whole contract between berthd and that monitor:
/// this file, the socket protocol (<see cref="MonitorProtocol"/>) and the state files (exit,
/// init.pid, shim.pid). A berthd re-attaching to monitors after an upgrade (live restore) reads it
/// before it speaks to them, and a monitor reads it before it runs anything.
/// 1: the format before versions were written (no "version" line): the monitor exits once it has
///    written the exit record.
/// 2: "version=2" first; a monitor that cannot write its exit record (full disk) keeps it in
///    memory, reports it to every client of its socket and retries the write before it exits.
///    Nothing berthd does differs between 1 and 2, so it speaks both.
/// 3: the log keys "log-compress", "log-mode" and "log-max-buffer-size", and log-driver "local".
///    Written only for a container that uses one of them (<see cref="VersionFor"/>), so a berthd
///    downgraded to one that speaks 2 still re-attaches to every other container, and refuses
///    the ones whose logs it would misread.
/// A version above <see cref="CurrentVersion"/> comes from a newer berth: it is refused.
/// </para>
/// </summary>
public sealed record MonitorConfig
{
    public const int CurrentVersion = 3;

    public const int OldestVersion = 1;

    public int Version { get; init; } = CurrentVersion;

    public required string Id { get; init; }

    public required string RuntimePath { get; init; }

    public required string RuntimeRoot { get; init; }

    /// <summary>The bundle (config.json, rootfs) and state directory of this container.</summary>
    public required string StateDir { get; init; }

    /// <summary>The monitor's attach/wait socket.</summary>
    public required string SocketPath { get; init; }

    public string LogDriver { get; init; } = "json-file";

    public string LogPath { get; init; } = string.Empty;

    public long LogMaxSize { get; init; } = -1;

    public int LogMaxFiles { get; init; } = 1;

    /// <summary>Whether rotated files are gzip-compressed (log-opt compress).</summary>
    public bool LogCompress { get; init; }

    /// <summary>log-opt mode=non-blocking: output goes through a ring of <see cref="LogMaxBufferSize"/> bytes and is dropped when it is full.</summary>
    public bool LogNonBlocking { get; init; }

    public long LogMaxBufferSize { get; init; } = Logging.LogSettings.DefaultMaxBufferSize;

    public bool Tty { get; init; }

    public bool OpenStdin { get; init; }

    public string CgroupPath { get; init; } = string.Empty;

    public const string FileName = "monitor.conf";

    public string Format()
    {
        var sb = new StringBuilder();
        Line(sb, "version", Version.ToString(CultureInfo.InvariantCulture));
        Line(sb, "id", Id);
        Line(sb, "runtime", RuntimePath);
        Line(sb, "runtime-root", RuntimeRoot);
        Line(sb, "state-dir", StateDir);
        Line(sb, "socket", SocketPath);
        Line(sb, "log-driver", LogDriver);
        Line(sb, "log-path", LogPath);
        Line(sb, "log-max-size", LogMaxSize.ToString(CultureInfo.InvariantCulture));
        Line(sb, "log-max-file", LogMaxFiles.ToString(CultureInfo.InvariantCulture));
        if (Version >= 3)
        {
            Line(sb, "log-compress", LogCompress ? "1" : "0");
            Line(sb, "log-mode", LogNonBlocking ? "non-blocking" : "blocking");
            Line(sb, "log-max-buffer-size", LogMaxBufferSize.ToString(CultureInfo.InvariantCulture));
        }

        Line(sb, "tty", Tty ? "1" : "0");
        Line(sb, "stdin", OpenStdin ? "1" : "0");
        Line(sb, "cgroup", CgroupPath);
        return sb.ToString();
    }

    /// <summary>Reads a config; <see cref="MonitorVersionException"/> when it is of a version this build does not speak.</summary>
    public static MonitorConfig Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = line.IndexOf('=', StringComparison.Ordinal);
            if (eq > 0)
            {
                d[line[..eq]] = line[(eq + 1)..];
            }
        }

        var version = OldestVersion;
        if (d.TryGetValue("version", out var v)
            && (!int.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out version) || version < OldestVersion || version > CurrentVersion))
        {
            throw new MonitorVersionException(d.GetValueOrDefault("id", "?"), v);
        }

        return new MonitorConfig
        {
            Version = version,
            Id = d["id"],
            RuntimePath = d["runtime"],
            RuntimeRoot = d["runtime-root"],
            StateDir = d["state-dir"],
            SocketPath = d["socket"],
            LogDriver = d.GetValueOrDefault("log-driver", "json-file"),
            LogPath = d.GetValueOrDefault("log-path", string.Empty),
            LogMaxSize = long.Parse(d.GetValueOrDefault("log-max-size", "-1"), CultureInfo.InvariantCulture),
            LogMaxFiles = int.Parse(d.GetValueOrDefault("log-max-file", "1"), CultureInfo.InvariantCulture),
            LogCompress = d.GetValueOrDefault("log-compress") == "1",
            LogNonBlocking = d.GetValueOrDefault("log-mode") == "non-blocking",
            LogMaxBufferSize = long.Parse(d.GetValueOrDefault("log-max-buffer-size", "1000000"), CultureInfo.InvariantCulture),
            Tty = d.GetValueOrDefault("tty") == "1",
            OpenStdin = d.GetValueOrDefault("stdin") == "1",
            CgroupPath = d.GetValueOrDefault("cgroup", string.Empty),
        };
    }

    /// <summary>The oldest contract version that can describe these log settings (see the version list above).</summary>
    public static int VersionFor(Logging.LogSettings log)
    {
        ArgumentNullException.ThrowIfNull(log);
        return log.Driver.Name == "local" || log.Rotation.Compress || log.Mode == Logging.LogMode.NonBlocking ? 3 : 2;
    }

    private static void Line(StringBuilder sb, string key, string value)
    {
        if (value.Contains('\n', StringComparison.Ordinal))
        {
            throw new ArgumentException($"{key} must not contain a newline", nameof(value));
        }

        sb.Append(key).Append('=').Append(value).Append('\n');
    }
}
