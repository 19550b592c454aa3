using System.Collections.Immutable;
using Berth.Containers.Model;
using Berth.Core.Errors;

namespace Berth.Containers.Store;

/// <summary>
/// An immutable view of every container, swapped as a whole on each change: list and inspect read
/// one snapshot without locks and without I/O, however many containers there are.
/// </summary>
public sealed class ContainerSnapshot
{
    private IReadOnlyList<Container>? _newestFirst;

    internal ContainerSnapshot(ImmutableDictionary<string, Container> byId, ImmutableDictionary<string, string> idByName)
    {
        ById = byId;
        IdByName = idByName;
    }

    public static ContainerSnapshot Empty { get; } = new(
        ImmutableDictionary.Create<string, Container>(StringComparer.Ordinal),
        ImmutableDictionary.Create<string, string>(StringComparer.Ordinal));

    public ImmutableDictionary<string, Container> ById { get; }

    /// <summary>Name (without slash) → ID.</summary>
    public ImmutableDictionary<string, string> IdByName { get; }

    public int Count => ById.Count;

    /// <summary>All containers, most recently created first (Docker's list order); computed once per snapshot.</summary>
    public IReadOnlyList<Container> NewestFirst =>
        _newestFirst ??= [.. ById.Values.OrderByDescending(c => c.Created).ThenBy(c => c.Id, StringComparer.Ordinal)];

    /// <summary>
    /// Docker's lookup order: full ID, exact name (with or without the slash), then unique ID
    /// prefix. Null when nothing matches; InvalidArgument when a prefix is ambiguous.
    /// </summary>
    public Container? Find(string idOrName)
    {
        if (string.IsNullOrEmpty(idOrName))
        {
            return null;
        }

        if (ById.TryGetValue(idOrName, out var byId))
        {
            return byId;
        }

        var name = idOrName.StartsWith('/') ? idOrName[1..] : idOrName;
        if (IdByName.TryGetValue(name, out var id) && ById.TryGetValue(id, out var byName))
        {
            return byName;
        }

        Container? found = null;
        foreach (var c in ById.Values)
        {
            if (c.Id.StartsWith(idOrName, StringComparison.Ordinal))
            {
                if (found is not null)
                {
                    throw BerthException.Invalid($"multiple IDs found with provided prefix: {idOrName}");
                }

                found = c;
            }
        }

        return found;
    }

    /// <summary>Like <see cref="Find"/> but throws NotFound with Docker's message.</summary>
    public Container Get(string idOrName) =>
        Find(idOrName) ?? throw BerthException.NotFound($"No such container: {idOrName}");
}
