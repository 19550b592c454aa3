namespace Berth.Api.Networks;

/// <summary>POST /networks/{id}/connect body.</summary>
public sealed record NetworkConnectRequest
{
    public string? Container { get; init; }

    public EndpointSettings? EndpointConfig { get; init; }
}
