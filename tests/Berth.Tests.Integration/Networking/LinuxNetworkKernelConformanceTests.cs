using Berth.Platform.Net;
using Berth.Tests.Conformance;

namespace Berth.Tests.Integration.Networking;

/// <summary>The real kernel adapter passes the contract the component tests' fake passes; a test namespace plays the host.</summary>
public sealed class LinuxNetworkKernelConformanceTests : NetworkKernelContract, IAsyncLifetime
{
    private TestNamespace _host = null!;
    private LinuxNetworkKernel _kernel = null!;
    private string _dir = null!;

    protected override INetworkKernel Kernel => _kernel;

    protected override string NetnsDirectory => _dir;

    public async Task InitializeAsync()
    {
        _host = await TestNamespace.CreateAsync();
        _dir = Path.Combine("/run", _host.Name, "netns");
        _kernel = new LinuxNetworkKernel("kernel-contract", _host.Path);
    }

    public async Task DisposeAsync()
    {
        foreach (var path in _kernel.ListBound(_dir))
        {
            await _kernel.RemoveBoundAsync(path);
        }

        _kernel.Dispose();
        await _host.DisposeAsync();
        if (Directory.Exists(Path.Combine("/run", _host.Name)))
        {
            Directory.Delete(Path.Combine("/run", _host.Name), recursive: true);
        }
    }
}
