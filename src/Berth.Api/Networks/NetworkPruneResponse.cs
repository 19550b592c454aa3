namespace Berth.Api.Networks;

/// <summary>POST /networks/prune answer: names of the removed networks.</summary>
public sealed record NetworkPruneResponse(List<string> NetworksDeleted);
