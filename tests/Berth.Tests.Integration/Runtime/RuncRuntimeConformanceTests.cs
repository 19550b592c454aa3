using Berth.Runtime;
using Berth.Tests.Conformance;

namespace Berth.Tests.Integration.Runtime;

/// <summary>RuncRuntime with real runc, berth-shim and overlayfs against the runtime contract (the fake passes the same suite).</summary>
public sealed class RuncRuntimeConformanceTests(RuntimeTestEnvironment env) : ContainerRuntimeContract, IClassFixture<RuntimeTestEnvironment>
{
    protected override IContainerRuntime Runtime => env.Runtime;

    protected override ContainerLaunch Launch(string id, params string[] args) => env.Launch(id, args);
}
