namespace Berth.Networking;

/// <summary>One container on a network, as network inspect's Containers map shows it.</summary>
public sealed record NetworkEndpointView(string ContainerId, string ContainerName, string EndpointId, string MacAddress, string IPv4Address, int PrefixLength);
