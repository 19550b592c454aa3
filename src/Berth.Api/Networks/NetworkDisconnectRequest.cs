namespace Berth.Api.Networks;

/// <summary>POST /networks/{id}/disconnect body.</summary>
public sealed record NetworkDisconnectRequest
{
    public string? Container { get; init; }

    public bool Force { get; init; }
}
