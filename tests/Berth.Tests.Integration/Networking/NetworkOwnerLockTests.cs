using Berth.Networking;
using Berth.Tests.Conformance;

namespace Berth.Tests.Integration.Networking;

/// <summary>The owners' locks on the real kernel, in a test namespace.</summary>
public sealed class NetworkOwnerLockTests : NetworkOwnerLockContract
{
    private ServiceHost? _h;

    protected override async Task<NetworkService> StartServiceAsync()
    {
        _h = await ServiceHost.StartAsync();
        return _h.Service;
    }

    protected override async Task StopServiceAsync()
    {
        if (_h is not null)
        {
            await _h.DisposeAsync();
        }
    }

    protected override async Task<int> HostVethCountAsync() =>
        (await _h!.Host.CheckAsync("ip", "-o", "link", "show", "type", "veth")).Split('\n', StringSplitOptions.RemoveEmptyEntries).Length;
}
