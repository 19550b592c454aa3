namespace Berth.Api.Containers;

public sealed record SwarmInfo(string NodeID, string NodeAddr, string LocalNodeState, bool ControlAvailable, string Error, IReadOnlyList<string>? RemoteManagers);
