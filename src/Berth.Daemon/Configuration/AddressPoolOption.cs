namespace Berth.Daemon.Configuration;

/// <summary>One daemon.json default-address-pools entry: {"base": "10.10.0.0/16", "size": 24}.</summary>
public sealed record AddressPoolOption(string Base, int Size);
