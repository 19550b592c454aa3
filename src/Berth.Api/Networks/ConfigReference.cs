namespace Berth.Api.Networks;

/// <summary>ConfigFrom of a network (config-only networks; always empty in Berth).</summary>
public sealed record ConfigReference
{
    public string Network { get; init; } = string.Empty;
}
