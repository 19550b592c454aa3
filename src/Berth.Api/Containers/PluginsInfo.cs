namespace Berth.Api.Containers;

public sealed record PluginsInfo(IReadOnlyList<string> Volume, IReadOnlyList<string> Network, IReadOnlyList<string>? Authorization, IReadOnlyList<string> Log);
