using Berth.Containers.Naming;
using Berth.Core.Errors;

namespace Berth.Daemon.Http.Containers;

/// <summary>The <c>name</c> query of create and rename, refused at the edge in dockerd's words.</summary>
public static class ContainerNameRules
{
    /// <summary>create's name: absent, or Docker's pattern.</summary>
    public static string? ForCreate(string? name) =>
        name is null || ContainerNames.IsValid(name) ? name : throw Invalid(name);

    /// <summary>rename's new name: dockerd reports it with its leading slash, after "Error when allocating new name".</summary>
    public static string ForRename(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            throw BerthException.Invalid("Neither old nor new names may be empty");
        }

        if (!ContainerNames.IsValid(name))
        {
            throw BerthException.Invalid("Error when allocating new name: " + Invalid(name.StartsWith('/') ? name : "/" + name).Message);
        }

        return name;
    }

    private static BerthException Invalid(string name) =>
        BerthException.Invalid($"Invalid container name ({name}), only {ContainerNames.ValidChars} are allowed");
}
