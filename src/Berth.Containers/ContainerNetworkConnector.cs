using Berth.Networking;
using Berth.Networking.Model;

namespace Berth.Containers;

/// <summary>POST /networks/{id}/connect and /disconnect carried out by the container service, so the container's record follows.</summary>
internal sealed class ContainerNetworkConnector(ContainerNetworking containers) : IContainerNetworkConnector
{
    public Task ConnectAsync(string container, string network, EndpointRequest endpoint, CancellationToken cancellationToken) =>
        containers.ConnectNetworkAsync(container, network, endpoint, cancellationToken);

    public Task DisconnectAsync(string container, string network, bool force, CancellationToken cancellationToken) =>
        containers.DisconnectNetworkAsync(container, network, force, cancellationToken);
}
