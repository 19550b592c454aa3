using Berth.Networking.Model;

namespace Berth.Networking;

/// <summary>A network with its current endpoints (a snapshot for list/inspect).</summary>
public sealed record NetworkView(NetworkRecord Network, IReadOnlyList<NetworkEndpointView> Endpoints);
