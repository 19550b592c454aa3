namespace Berth.Networking.Ports;

/// <summary>One host side of a published port as Docker's PortBindings carry it: HostIp ("" = all), HostPort ("", "8080" or "8000-8010").</summary>
public sealed record PortBindingRequest(string HostIp, string HostPort);
