using Berth.Networking.Model;

namespace Berth.Networking;

/// <summary>
/// Implemented by the container service and registered in the composition root: carries out
/// POST /networks/{id}/connect and /disconnect for a container given by name or id, running or
/// not (a stopped container only gets its stored endpoint settings changed; a running one calls
/// <see cref="NetworkService.ConnectAsync"/>/<see cref="NetworkService.DisconnectAsync"/> and
/// records the returned attachment). Without it, the routes act on running containers only.
/// </summary>
public interface IContainerNetworkConnector
{
    Task ConnectAsync(string container, string network, EndpointRequest endpoint, CancellationToken cancellationToken);

    Task DisconnectAsync(string container, string network, bool force, CancellationToken cancellationToken);
}
