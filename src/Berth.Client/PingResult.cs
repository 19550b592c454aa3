namespace Berth.Client;

/// <summary>What <c>GET /_ping</c> tells about the engine.</summary>
public sealed record PingResult(string? ApiVersion, string? OsType, bool Experimental, string? BuilderVersion, string? Swarm);
