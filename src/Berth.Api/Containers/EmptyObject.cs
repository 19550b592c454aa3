namespace Berth.Api.Containers;

/// <summary>Docker's <c>{}</c> values (ExposedPorts, Volumes): a set encoded as a map to empty objects.</summary>
public sealed class EmptyObject
{
    public static EmptyObject Instance { get; } = new();
}
