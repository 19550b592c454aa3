namespace Berth.Networking.Model;

/// <summary>A published port as programmed in nftables: host side → container address and port.</summary>
public sealed record PublishedPort(string Protocol, string HostIp, int HostPort, string ContainerIp, int ContainerPort, string NetworkId);
