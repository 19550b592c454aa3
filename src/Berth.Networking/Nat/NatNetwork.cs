namespace Berth.Networking.Nat;

/// <summary>What the NAT/filter ruleset needs of one bridge network.</summary>
public sealed record NatNetwork(string Bridge, string Subnet, bool Internal, bool Masquerade);
