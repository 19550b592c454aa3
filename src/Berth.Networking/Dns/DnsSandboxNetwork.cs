namespace Berth.Networking.Dns;

/// <summary>One network of a sandbox for name resolution, with the container's link aliases (alias → target container name).</summary>
public sealed record DnsSandboxNetwork(string NetworkId, string NetworkName, IReadOnlyDictionary<string, string> LinkAliases);
