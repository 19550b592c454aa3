using Berth.Containers.Model;

namespace Berth.Containers;

/// <summary>Finding a container by what a client calls it: the one read every route group needs.</summary>
public interface IContainerLookup
{
    /// <summary>Finds a container by full ID, name or unique ID prefix; NotFound "No such container: x".</summary>
    Container Get(string idOrName);
}
