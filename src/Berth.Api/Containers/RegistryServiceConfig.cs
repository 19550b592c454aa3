namespace Berth.Api.Containers;

public sealed record RegistryServiceConfig(
    IReadOnlyList<string> InsecureRegistryCIDRs,
    IReadOnlyDictionary<string, IndexInfo> IndexConfigs,
    IReadOnlyList<string> Mirrors);
