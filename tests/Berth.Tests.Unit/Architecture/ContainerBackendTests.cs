using System.Text.RegularExpressions;
using Berth.Containers;

namespace Berth.Tests.Unit.Architecture;

/// <summary>
/// The container subsystem's seam (docs/ARCHITECTURE.md, Containers): each route group of the
/// daemon depends on its backend interface, never on the engine or the classes behind it, and
/// those classes stay internal so that nothing outside the engine can bind to them.
/// </summary>
public sealed partial class ContainerBackendTests
{
    private static readonly Type[] Backends =
    [
        typeof(IContainerLifecycle),
        typeof(IContainerCommit),
        typeof(IContainerCreator),
        typeof(IContainerExec),
        typeof(IContainerArchive),
        typeof(IContainerStreams),
        typeof(IContainerQueries),
    ];

    [Fact]
    public void Daemon_routes_name_only_the_backend_interfaces()
    {
        var http = Path.Combine(ProjectReferenceTests.RepoRoot(), "src", "Berth.Daemon", "Http");
        var offenders = Directory.EnumerateFiles(http, "*.cs", SearchOption.AllDirectories)
            .Where(f => ConcreteEngineType().IsMatch(File.ReadAllText(f)))
            .Select(f => Path.GetRelativePath(ProjectReferenceTests.RepoRoot(), f))
            .ToList();
        Assert.True(offenders.Count == 0, $"routes must take a backend interface (IContainerLifecycle, IContainerExec, ...), not the engine's classes: {string.Join(", ", offenders)}");
    }

    [Fact]
    public void The_route_scan_sees_what_it_is_meant_to_refuse()
    {
        Assert.Matches(ConcreteEngineType(), "private static async Task StartAsync(HttpContext ctx, ContainerService svc, string id)");
        Assert.Matches(ConcreteEngineType(), "sp.GetRequiredService<ContainerEngine>()");
        Assert.DoesNotMatch(ConcreteEngineType(), "private static async Task StartAsync(HttpContext ctx, IContainerLifecycle svc, string id)");
        Assert.DoesNotMatch(ConcreteEngineType(), "ContainerServiceOptions options");
    }

    [Fact]
    [System.Diagnostics.CodeAnalysis.UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Tests run untrimmed.")]
    public void Every_backend_is_implemented_by_an_internal_owner_only()
    {
        var classes = typeof(IContainerLookup).Assembly.GetTypes().Where(t => t.IsClass && !t.IsAbstract).ToList();
        foreach (var backend in Backends)
        {
            var implementations = classes.Where(backend.IsAssignableFrom).ToList();
            Assert.NotEmpty(implementations);
            Assert.All(implementations, t => Assert.False(t.IsVisible, $"{t.Name} implements {backend.Name} and must stay internal"));
        }
    }

    [GeneratedRegex(@"\b(ContainerService|ContainerEngine|ContainerCore|ContainerLifecycle|ContainerCreation|ContainerExecs|ContainerArchives|ContainerStreams|ContainerQueries|ContainerHealthChecks|ContainerNetworking|ContainerVolumes)\b")]
    private static partial Regex ConcreteEngineType();
}
