using Berth.Containers.Model;
using Berth.Networking.Model;

namespace Berth.Containers;

/// <summary>A create request in the engine's terms: the user's Config (not yet merged with the image's) and HostConfig.</summary>
public sealed record CreateContainerRequest
{
    /// <summary>Requested name (with or without slash); null or empty = generated.</summary>
    public string? Name { get; init; }

    public required ContainerConfig Config { get; init; }

    public HostConfig HostConfig { get; init; } = new();

    /// <summary>NetworkingConfig.EndpointsConfig: network name or id ("default" for the NetworkMode one) → endpoint settings.</summary>
    public IReadOnlyDictionary<string, EndpointRequest> NetworkEndpoints { get; init; } = new Dictionary<string, EndpointRequest>();

    /// <summary>"os[/arch[/variant]]" or null.</summary>
    public string? Platform { get; init; }
}
