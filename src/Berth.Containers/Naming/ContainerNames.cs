using System.Text.RegularExpressions;
using Berth.Core.Errors;

namespace Berth.Containers.Naming;

/// <summary>Validation and normalisation of user-given container names.</summary>
public static partial class ContainerNames
{
    public const string ValidChars = "[a-zA-Z0-9][a-zA-Z0-9_.-]";

    /// <summary>Strips one leading slash and checks Docker's pattern; throws InvalidArgument with Docker's message.</summary>
    public static string Normalize(string name)
    {
        if (!Pattern().IsMatch(name))
        {
            throw BerthException.Invalid($"Invalid container name ({name}), only {ValidChars} are allowed");
        }

        return name.StartsWith('/') ? name[1..] : name;
    }

    public static bool IsValid(string name) => Pattern().IsMatch(name);

    // \z, not $: $ also matches before a final newline, and "ab\n" is no name.
    [GeneratedRegex(@"^/?[a-zA-Z0-9][a-zA-Z0-9_.-]+\z")]
    private static partial Regex Pattern();
}
