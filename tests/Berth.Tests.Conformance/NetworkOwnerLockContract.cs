using Berth.Core.Errors;
using Berth.Networking;
using Berth.Networking.Model;
using Berth.Networking.Ports;

namespace Berth.Tests.Conformance;

/// <summary>
/// Networking's owners lock separately (NetworkService's remarks give the order): while one
/// owner's lock is held, work that does not need that owner completes, and work that does
/// waits for it. Holding a lock through the test hook stands in for a slow operation of that
/// owner; nothing here depends on timing: an operation that must wait is shown not to have
/// completed while the lock is held, and to complete once it is released. Derived once on the
/// fake kernel (unit tests) and once on the real one in a test namespace (integration tests).
/// </summary>
public abstract class NetworkOwnerLockContract : IAsyncLifetime
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    private NetworkService S { get; set; } = null!;

    /// <summary>A started network service on a host of its own, with no user networks.</summary>
    protected abstract Task<NetworkService> StartServiceAsync();

    /// <summary>Stops the service and removes its host.</summary>
    protected abstract Task StopServiceAsync();

    /// <summary>How many veth links the service's host namespace has.</summary>
    protected abstract Task<int> HostVethCountAsync();

    public async Task InitializeAsync() => S = await StartServiceAsync();

    public Task DisposeAsync() => StopServiceAsync();

    private static ContainerNetworkRequest Request(string name, string network, params string[] ports) => new()
    {
        ContainerId = Berth.Core.Ids.IdGenerator.NewId(),
        ContainerName = name,
        Hostname = name,
        NetworkMode = network,
        PortBindings = ports.ToDictionary(p => p + "/tcp", IReadOnlyList<PortBindingRequest> (_) => [new PortBindingRequest(string.Empty, string.Empty)]),
    };

    [Fact]
    public async Task Containers_attach_connect_and_disconnect_while_a_network_change_holds_the_network_table()
    {
        await S.CreateNetworkAsync(new NetworkCreateSpec { Name = "front" }, CancellationToken.None);
        await S.CreateNetworkAsync(new NetworkCreateSpec { Name = "back" }, CancellationToken.None);
        var web = Request("web", "front");
        await S.AttachAsync(web, CancellationToken.None);

        Task<string> create;
        using (await S.Networks.Lock.EnterAsync(CancellationToken.None))
        {
            create = S.CreateNetworkAsync(new NetworkCreateSpec { Name = "later" }, CancellationToken.None);

            var connected = await S.ConnectAsync(web.ContainerId, "back", new EndpointRequest(), CancellationToken.None).WaitAsync(HangGuard);
            Assert.Equal(["front", "back"], connected.Endpoints.Select(e => e.NetworkName));
            var db = await S.AttachAsync(Request("db", "back"), CancellationToken.None).WaitAsync(HangGuard);
            Assert.Equal("back", db.Endpoints.Single().NetworkName);
            var inspect = await S.GetNetworkAsync("back", CancellationToken.None).WaitAsync(HangGuard);
            Assert.Equal(["db", "web"], inspect.Endpoints.Select(e => e.ContainerName).Order());
            var disconnected = await S.DisconnectAsync(web.ContainerId, "back", force: false, CancellationToken.None).WaitAsync(HangGuard);
            Assert.Equal(["front"], disconnected.Endpoints.Select(e => e.NetworkName));

            Assert.False(create.IsCompleted, "a network create went past the network table's lock");
        }

        await create.WaitAsync(HangGuard);
        Assert.Equal("later", (await S.GetNetworkAsync("later", CancellationToken.None)).Network.Name);
    }

    [Fact]
    public async Task Connect_and_disconnect_without_published_ports_do_not_wait_for_the_ports_table()
    {
        await S.CreateNetworkAsync(new NetworkCreateSpec { Name = "front" }, CancellationToken.None);
        await S.CreateNetworkAsync(new NetworkCreateSpec { Name = "back" }, CancellationToken.None);
        var web = Request("web", "front");
        await S.AttachAsync(web, CancellationToken.None);

        Task<NetworkAttachment> publishing;
        using (await S.Ports.Lock.EnterAsync(CancellationToken.None))
        {
            publishing = S.AttachAsync(Request("api", "front", "80"), CancellationToken.None);

            await S.ConnectAsync(web.ContainerId, "back", new EndpointRequest(), CancellationToken.None).WaitAsync(HangGuard);
            await S.DisconnectAsync(web.ContainerId, "back", force: false, CancellationToken.None).WaitAsync(HangGuard);

            Assert.False(publishing.IsCompleted, "a container publishing a port went past the ports table's lock");
        }

        var api = await publishing.WaitAsync(HangGuard);
        Assert.Equal(80, api.Ports.Single().ContainerPort);
    }

    [Fact]
    public async Task A_connect_that_found_a_network_just_removed_is_refused_and_leaves_no_endpoint()
    {
        await S.CreateNetworkAsync(new NetworkCreateSpec { Name = "front" }, CancellationToken.None);
        await S.CreateNetworkAsync(new NetworkCreateSpec { Name = "doomed" }, CancellationToken.None);
        var web = Request("web", "front");
        await S.AttachAsync(web, CancellationToken.None);

        Task<NetworkAttachment> connect;
        using (await S.Sandboxes.LockOf(web.ContainerId).EnterAsync(CancellationToken.None))
        {
            // The connect has looked the network up and waits for the container's lock; the
            // removal does not need that lock, and the network has no endpoint yet.
            connect = S.ConnectAsync(web.ContainerId, "doomed", new EndpointRequest(), CancellationToken.None);
            await S.RemoveNetworkAsync("doomed", CancellationToken.None).WaitAsync(HangGuard);
        }

        var e = await Assert.ThrowsAsync<BerthException>(() => connect.WaitAsync(HangGuard));
        Assert.Equal(ErrorKind.NotFound, e.Kind);
        Assert.Equal("network doomed not found", e.Message);
        var attachment = await S.GetAttachmentAsync(web.ContainerId, CancellationToken.None);
        Assert.Equal(["front"], attachment!.Endpoints.Select(x => x.NetworkName));
        Assert.Equal(1, await HostVethCountAsync());
    }
}
