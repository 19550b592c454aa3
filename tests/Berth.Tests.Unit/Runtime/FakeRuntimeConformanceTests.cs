using Berth.Core.Model;
using Berth.Runtime;
using Berth.Tests.Conformance;
using Berth.Tests.Unit.Containers;

namespace Berth.Tests.Unit.Runtime;

/// <summary>The fake runtime of the unit and component tests passes the contract RuncRuntime passes.</summary>
public sealed class FakeRuntimeConformanceTests : ContainerRuntimeContract
{
    private readonly FakeRuntime _runtime = new(TimeProvider.System) { RunsPrograms = true };

    protected override IContainerRuntime Runtime => _runtime;

    protected override ContainerLaunch Launch(string id, params string[] args) => new()
    {
        Id = id,
        Name = "c" + id[..8],
        Rootfs = new RootfsMount(["/nonexistent/lower"], "/nonexistent/upper", "/nonexistent/work"),
        Process = new ProcessLaunch { Args = args },
        CgroupPath = $"/fake/{id}",
        LogPath = $"/nonexistent/{id}-json.log",
    };
}
