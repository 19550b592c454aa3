using Berth.Core.Errors;

namespace Berth.Core.Model;

/// <summary>
/// Network interface names (bridges, macvlan parents, container interface prefixes) as the
/// kernel accepts them (dev_valid_name: at most IFNAMSIZ-1 = 15 bytes, not "." or "..", no
/// '/', ':' or white space), and narrower: printable ASCII without quotes or backslashes, so that
/// a name can never change the meaning of the nftables ruleset text it is written into.
/// </summary>
public static class InterfaceName
{
    public const int MaxLength = 15;

    /// <summary>Why <paramref name="name"/> cannot be an interface name, or null when it can.</summary>
    public static string? Problem(string name)
    {
        if (name.Length == 0)
        {
            return "it is empty";
        }

        if (name.Length > MaxLength)
        {
            return $"it is longer than {MaxLength} characters";
        }

        if (name is "." or "..")
        {
            return "it is . or ..";
        }

        foreach (var c in name)
        {
            if (c is <= ' ' or >= '\x7f' or '/' or ':' or '"' or '\'' or '\\' or '`' or ';' or '{' or '}' or '$' or '#')
            {
                return $"it contains '{(c is <= ' ' or >= '\x7f' ? $"\\x{(int)c:x2}" : c.ToString())}'";
            }
        }

        return null;
    }

    /// <summary>Refuses a name that cannot be an interface name: "invalid {what} {name}: ...".</summary>
    public static string Validate(string name, string what) =>
        Problem(name) is { } problem ? throw BerthException.Invalid($"invalid {what} \"{name}\": {problem}") : name;
}
