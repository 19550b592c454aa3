namespace Berth.Api.Networks;

/// <summary>POST /networks/create answer (201).</summary>
public sealed record NetworkCreateResponse(string Id, string Warning);
