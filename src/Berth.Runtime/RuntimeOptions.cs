namespace Berth.Runtime;

/// <summary>Where the runtime keeps its state and which binaries it uses. One per engine.</summary>
public sealed record RuntimeOptions
{
    /// <summary>The engine's exec-root (tmpfs, e.g. /run/berth): bundles, monitor sockets, runc state.</summary>
    public required string ExecRoot { get; init; }

    /// <summary>
    /// The engine's container directory (&lt;data-root&gt;/containers). Logs of a container whose
    /// runtime state is gone are looked for at &lt;ContainersDir&gt;/&lt;id&gt;/&lt;id&gt;-json.log.
    /// </summary>
    public required string ContainersDir { get; init; }

    /// <summary>OCI runtime name → binary path (daemon.json "runtimes" plus the built-in runc).</summary>
    public IReadOnlyDictionary<string, string> Runtimes { get; init; } = new Dictionary<string, string>
    {
        ["runc"] = "/usr/sbin/runc",
        ["crun"] = "/usr/bin/crun",
    };

    /// <summary>Used when a launch names no runtime.</summary>
    public string DefaultRuntime { get; init; } = "runc";

    /// <summary>The monitor binary; null = $BERTH_SHIM, else berth-shim next to the running executable.</summary>
    public string? ShimPath { get; init; }

    /// <summary>Cgroup parent of this engine's containers, so engines side by side do not mix.</summary>
    public string CgroupParent { get; init; } = "/berth";

    /// <summary>The init bound into containers started with --init.</summary>
    public string InitPath { get; init; } = "/usr/bin/tini-static";

    /// <summary>
    /// The seccomp profile of containers that name none (--seccomp-profile): Docker's built-in
    /// profile by default; see <see cref="Oci.SeccompDefault"/> for the faster native-only one.
    /// </summary>
    public Oci.SeccompDefault SeccompDefault { get; init; } = Oci.SeccompDefault.Docker;

    /// <summary>Where the runtime reports what an operator must know (berthd's log).</summary>
    public Action<string>? Warn { get; init; }

    /// <summary>The monitor path this engine will use.</summary>
    public string ResolveShimPath()
    {
        if (!string.IsNullOrEmpty(ShimPath))
        {
            return ShimPath;
        }

        var fromEnv = Environment.GetEnvironmentVariable("BERTH_SHIM");
        if (!string.IsNullOrEmpty(fromEnv))
        {
            return fromEnv;
        }

        // Next to the berthd executable (published layout); when run as `dotnet berthd.dll` the
        // process is dotnet itself, so also look next to the application's assemblies.
        var candidates = new List<string>();
        if (Environment.ProcessPath is { } exe)
        {
            candidates.Add(Path.Combine(Path.GetDirectoryName(exe)!, "berth-shim"));
        }

        candidates.Add(Path.Combine(AppContext.BaseDirectory, "berth-shim"));
        return candidates.FirstOrDefault(File.Exists) ?? candidates[0];
    }
}
