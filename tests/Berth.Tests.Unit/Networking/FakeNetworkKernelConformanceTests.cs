using Berth.Platform.Net;
using Berth.Tests.Conformance;

namespace Berth.Tests.Unit.Networking;

/// <summary>The fake kernel of the component tests passes the contract LinuxNetworkKernel passes.</summary>
public sealed class FakeNetworkKernelConformanceTests : NetworkKernelContract, IDisposable
{
    private readonly FakeNetworkKernel _kernel = new();

    protected override INetworkKernel Kernel => _kernel;

    protected override string NetnsDirectory => "/fake/netns";

    public void Dispose() => _kernel.Dispose();
}
