using Berth.Api.Networks;

namespace Berth.Api.Containers;

/// <summary>POST /containers/create's NetworkingConfig: per network (name or id) the endpoint asked for.</summary>
public sealed class NetworkingConfig
{
    public Dictionary<string, EndpointSettings?>? EndpointsConfig { get; init; }
}
