using System.Text.RegularExpressions;
using System.Xml.Linq;

namespace Berth.Tests.Unit.Architecture;

/// <summary>
/// Keeps the dependency rules of docs/ARCHITECTURE.md true: each project may reference only the
/// projects and packages listed for it, and only the two OS-boundary projects call native code
/// or spawn processes. A new reference is a design change: change the table there first.
/// </summary>
public sealed partial class ProjectReferenceTests
{
    private static readonly string[] ServerSide = ["Berth.Core", "Berth.Api", "Berth.Platform", "Berth.Storage", "Berth.Distribution", "Berth.Images", "Berth.Runtime", "Berth.Networking", "Berth.Volumes", "Berth.Containers", "Berth.Builder", "Berth.Registry", "Berth.Swarm"];

    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Berth.Core"] = [],
        ["Berth.Api"] = [],
        ["Berth.Platform"] = ["Berth.Core"],
        ["Berth.Terminal"] = [],
        ["Berth.Storage"] = ["Berth.Core", "Berth.Platform"],
        ["Berth.Distribution"] = ["Berth.Core"],
        ["Berth.Images"] = ["Berth.Core", "Berth.Platform", "Berth.Storage", "Berth.Distribution"],
        ["Berth.Runtime"] = ["Berth.Core", "Berth.Platform"],
        ["Berth.Networking"] = ["Berth.Core", "Berth.Platform"],
        ["Berth.Volumes"] = ["Berth.Core", "Berth.Platform"],
        ["Berth.Containers"] = ["Berth.Core", "Berth.Platform", "Berth.Storage", "Berth.Images", "Berth.Runtime", "Berth.Networking", "Berth.Volumes"],
        ["Berth.Builder"] = ["Berth.Core", "Berth.Storage", "Berth.Images"],
        ["Berth.Registry"] = ["Berth.Core"],
        ["Berth.Swarm"] = ["Berth.Core"],
        ["Berth.Client"] = ["Berth.Api", "Berth.Core"],
        ["Berth.Compose"] = ["Berth.Core", "Berth.Api", "Berth.Client"],
        ["Berth.Cli"] = ["Berth.Core", "Berth.Api", "Berth.Client", "Berth.Compose", "Berth.Terminal"],
        ["Berth.Shim"] = ["Berth.Core", "Berth.Platform", "Berth.Runtime"],
        ["Berth.Daemon"] = ServerSide,
    };

    /// <summary>NuGet packages each project may use; anything else is a design change too.</summary>
    private static readonly Dictionary<string, string[]> AllowedPackages = new()
    {
        ["Berth.Storage"] = ["Microsoft.Data.Sqlite", "ZstdSharp.Port"],
        ["Berth.Containers"] = ["Microsoft.Extensions.Logging.Abstractions"],
        ["Berth.Networking"] = ["Microsoft.Extensions.Logging.Abstractions"],
        ["Berth.Daemon"] = ["System.CommandLine"],
        ["Berth.Compose"] = ["YamlDotNet"],
        ["Berth.Swarm"] = ["DotNext.Net.Cluster"],
    };

    /// <summary>The OS boundaries: the engine's (Platform) and the CLI's own (Terminal: the user's terminal and files).</summary>
    private static readonly string[] NativeCallers = ["Berth.Platform", "Berth.Terminal"];

    public static TheoryData<string> Projects()
    {
        var data = new TheoryData<string>();
        foreach (var dir in Directory.GetDirectories(Path.Combine(RepoRoot(), "src")))
        {
            data.Add(Path.GetFileName(dir));
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void Project_references_follow_the_dependency_rules(string project)
    {
        Assert.True(Allowed.ContainsKey(project), $"{project} is not in the dependency table (docs/ARCHITECTURE.md)");
        var forbidden = References(project, "ProjectReference").Except(Allowed[project]).ToList();
        Assert.True(forbidden.Count == 0, $"{project} must not reference {string.Join(", ", forbidden)}");
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void Package_references_are_the_ones_listed_for_the_project(string project)
    {
        var allowed = AllowedPackages.GetValueOrDefault(project, []);
        var forbidden = References(project, "PackageReference").Except(allowed).ToList();
        Assert.True(forbidden.Count == 0, $"{project} must not use the package(s) {string.Join(", ", forbidden)} (list them in ProjectReferenceTests and docs/ARCHITECTURE.md first)");
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void Only_the_os_boundaries_call_native_code_or_spawn_processes(string project)
    {
        if (NativeCallers.Contains(project))
        {
            return;
        }

        var offenders = SourceFiles(project)
            .Where(f => NativeUse().IsMatch(File.ReadAllText(f)))
            .Select(f => Path.GetRelativePath(RepoRoot(), f))
            .ToList();
        Assert.True(offenders.Count == 0, $"only {string.Join(" and ", NativeCallers)} may call libc or spawn processes: {string.Join(", ", offenders)}");
    }

    [Fact]
    public void The_native_code_scan_sees_what_it_is_meant_to_refuse()
    {
        Assert.Matches(NativeUse(), "    [LibraryImport(\"libc\", SetLastError = true)]");
        Assert.Matches(NativeUse(), "[DllImport(\"libc\")]");
        Assert.Matches(NativeUse(), "using var p = Process.Start(psi);");
        Assert.Matches(NativeUse(), "var psi = new ProcessStartInfo(\"runc\");");
        Assert.Matches(NativeUse(), "NativeLibrary.Load(\"libnftables.so.1\")");
        Assert.DoesNotMatch(NativeUse(), "// the process starts here");
        Assert.Contains(SourceFiles("Berth.Terminal"), f => NativeUse().IsMatch(File.ReadAllText(f)));
    }

    [Fact]
    public void Nothing_references_the_daemon_and_only_the_cli_side_uses_the_client_and_the_terminal()
    {
        foreach (var dir in Directory.GetDirectories(Path.Combine(RepoRoot(), "src")))
        {
            var project = Path.GetFileName(dir);
            var references = References(project, "ProjectReference");
            Assert.DoesNotContain("Berth.Daemon", references);
            if (project is not ("Berth.Cli" or "Berth.Compose"))
            {
                Assert.DoesNotContain("Berth.Client", references);
            }

            if (project is not "Berth.Cli")
            {
                Assert.DoesNotContain("Berth.Terminal", references);
            }
        }
    }

    [GeneratedRegex(@"\[\s*(LibraryImport|DllImport)\b|\bProcess\.Start\b|\bProcessStartInfo\b|\bNativeLibrary\.")]
    private static partial Regex NativeUse();

    private static IEnumerable<string> SourceFiles(string project)
    {
        var dir = Path.Combine(RepoRoot(), "src", project);
        return Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
    }

    private static List<string> References(string project, string element)
    {
        var csproj = Path.Combine(RepoRoot(), "src", project, project + ".csproj");
        return XDocument.Load(csproj).Descendants(element)
            .Select(r => r.Attribute("Include")!.Value)
            .Select(v => element == "ProjectReference" ? Path.GetFileNameWithoutExtension(v) : v)
            .ToList();
    }

    internal static string RepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Berth.slnx")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? throw new InvalidOperationException("Berth.slnx not found");
    }
}
