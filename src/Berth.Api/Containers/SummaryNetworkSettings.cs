using Berth.Api.Networks;

namespace Berth.Api.Containers;

public sealed record SummaryNetworkSettings(IReadOnlyDictionary<string, EndpointSettings> Networks);
