namespace Berth.Platform.Net;

/// <summary>A network interface as rtnetlink reports it.</summary>
public sealed record LinkInfo(int Index, string Name, string Kind, int MasterIndex, string MacAddress, int Mtu, bool Up);
