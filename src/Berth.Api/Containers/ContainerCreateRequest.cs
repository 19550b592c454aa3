namespace Berth.Api.Containers;

/// <summary>POST /containers/create body: the Config with HostConfig and NetworkingConfig inside.</summary>
public sealed class ContainerCreateRequest : ContainerConfig
{
    public HostConfig? HostConfig { get; init; }

    public NetworkingConfig? NetworkingConfig { get; init; }
}
