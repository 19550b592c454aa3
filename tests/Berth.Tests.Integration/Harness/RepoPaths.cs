namespace Berth.Tests.Integration.Harness;

/// <summary>Locates the repository and the binaries under test.</summary>
public static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>berthd: $BERTH_DAEMON, else out/berthd, else the Debug/Release build output.</summary>
    public static string Daemon => Find("BERTH_DAEMON", "out/berthd", "src/Berth.Daemon/bin/{0}/net10.0/berthd");

    /// <summary>berth CLI: $BERTH_CLI, else out/berth, else the build output.</summary>
    public static string Cli => Find("BERTH_CLI", "out/berth", "src/Berth.Cli/bin/{0}/net10.0/berth");

    public static string DockerCli => Environment.GetEnvironmentVariable("DOCKER_CLI") ?? "/usr/local/bin/docker";

    private static string Find(string env, string published, string buildPattern)
    {
        if (Environment.GetEnvironmentVariable(env) is { Length: > 0 } explicitPath)
        {
            return explicitPath;
        }

        var candidates = new[]
        {
            Path.Combine(Root, published),
            Path.Combine(Root, string.Format(System.Globalization.CultureInfo.InvariantCulture, buildPattern, "Debug")),
            Path.Combine(Root, string.Format(System.Globalization.CultureInfo.InvariantCulture, buildPattern, "Release")),
        };
        return candidates.Where(File.Exists).OrderByDescending(File.GetLastWriteTimeUtc).FirstOrDefault()
            ?? throw new FileNotFoundException($"none of {string.Join(", ", candidates)} exists: build first");
    }

    private static string FindRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Berth.slnx")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? throw new InvalidOperationException("repository root (Berth.slnx) not found");
    }
}
