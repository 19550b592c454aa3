using System.Xml.Linq;

namespace Berth.Tests.Unit.Architecture;

/// <summary>
/// Keeps the dependency direction of docs/ARCHITECTURE.md true: each project may reference only
/// the projects listed for it. A new reference is a design change: change the table there first.
/// </summary>
public sealed class ProjectReferenceTests
{
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["Berth.Core"] = [],
        ["Berth.Api"] = [],
        ["Berth.Platform"] = ["Berth.Core"],
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
        ["Berth.Cli"] = ["Berth.Core", "Berth.Api", "Berth.Client", "Berth.Compose"],
        ["Berth.Shim"] = ["Berth.Core", "Berth.Platform", "Berth.Runtime"],
    };

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
        var references = References(project);
        if (project == "Berth.Daemon")
        {
            Assert.DoesNotContain("Berth.Cli", references);
            return;
        }

        Assert.True(Allowed.ContainsKey(project), $"{project} is not in the dependency table (docs/ARCHITECTURE.md)");
        var forbidden = references.Except(Allowed[project]).ToList();
        Assert.True(forbidden.Count == 0, $"{project} must not reference {string.Join(", ", forbidden)}");
    }

    [Fact]
    public void Nothing_references_the_daemon_and_only_the_cli_side_uses_the_client()
    {
        foreach (var dir in Directory.GetDirectories(Path.Combine(RepoRoot(), "src")))
        {
            var project = Path.GetFileName(dir);
            var references = References(project);
            Assert.DoesNotContain("Berth.Daemon", references);
            if (project is not ("Berth.Cli" or "Berth.Compose"))
            {
                Assert.DoesNotContain("Berth.Client", references);
            }
        }
    }

    private static List<string> References(string project)
    {
        var csproj = Path.Combine(RepoRoot(), "src", project, project + ".csproj");
        return XDocument.Load(csproj).Descendants("ProjectReference")
            .Select(r => Path.GetFileNameWithoutExtension(r.Attribute("Include")!.Value))
            .ToList();
    }

    private static string RepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Berth.slnx")))
        {
            dir = Path.GetDirectoryName(dir);
        }

        return dir ?? throw new InvalidOperationException("Berth.slnx not found");
    }
}
