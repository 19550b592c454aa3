namespace Berth.Runtime.Oci;

/// <summary>A user resolved against a container's passwd/group files.</summary>
public sealed record ResolvedUser(uint Uid, uint Gid, IReadOnlyList<uint> AdditionalGids, string Home);
