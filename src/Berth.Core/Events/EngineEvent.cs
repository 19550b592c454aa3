namespace Berth.Core.Events;

/// <summary>
/// One entry of the engine's event stream, in the shape of Docker's <c>/events</c> messages:
/// Type (container, image, network, volume, daemon), Action (create, start, die, ...), Actor.
/// </summary>
public sealed record EngineEvent(
    string Type,
    string Action,
    string ActorId,
    IReadOnlyDictionary<string, string> Attributes,
    DateTimeOffset Time)
{
    public string Scope { get; init; } = "local";
}
