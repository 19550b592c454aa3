namespace Berth.Api.Containers;

public sealed record SummaryHostConfig(string NetworkMode);
