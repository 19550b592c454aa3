using Berth.Networking;
using Berth.Tests.Conformance;

namespace Berth.Tests.Unit.Networking;

/// <summary>The owners' locks on the in-memory kernel.</summary>
public sealed class NetworkOwnerLockTests : NetworkOwnerLockContract
{
    private readonly string _dir = Directory.CreateTempSubdirectory("berth-owners-").FullName;
    private readonly FakeNetworkKernel _kernel = new();
    private NetworkService? _service;

    protected override async Task<NetworkService> StartServiceAsync()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir, "resolv.conf"), "nameserver 127.0.0.1\n");
        _service = new NetworkService(
            new NetworkServiceOptions
            {
                DataRoot = Path.Combine(_dir, "data"),
                ExecRoot = Path.Combine(_dir, "exec"),
                HostResolvConf = Path.Combine(_dir, "resolv.conf"),
                HostHosts = Path.Combine(_dir, "hosts"),
            },
            _kernel);
        await _service.InitializeAsync(CancellationToken.None);
        return _service;
    }

    protected override async Task StopServiceAsync()
    {
        if (_service is not null)
        {
            await _service.DisposeAsync();
        }

        Directory.Delete(_dir, recursive: true);
    }

    protected override Task<int> HostVethCountAsync() =>
        _kernel.RunAsync(host => host.ListLinks().Count(l => l.Kind == "veth"));
}
