using Berth.Core.Errors;

namespace Berth.Runtime.Oci;

/// <summary>Parsed --security-opt values; options this host cannot honour are refused by name.</summary>
/// <param name="SeccompBuiltin">seccomp=builtin: Docker's built-in profile whatever the daemon's default is.</param>
public sealed record SecurityOptions(bool NoNewPrivileges, bool SeccompUnconfined, string? SeccompProfileJson, bool UnconfinedPaths, bool SeccompBuiltin = false)
{
    public static SecurityOptions Parse(IReadOnlyList<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        bool noNewPrivileges = false, seccompUnconfined = false, unconfinedPaths = false, seccompBuiltin = false;
        string? profile = null;
        foreach (var raw in values)
        {
            var sep = raw.IndexOfAny(['=', ':']);
            var key = sep < 0 ? raw : raw[..sep];
            var value = sep < 0 ? string.Empty : raw[(sep + 1)..];
            switch (key)
            {
                case "no-new-privileges":
                    noNewPrivileges = value.Length == 0 || bool.Parse(value);
                    break;
                case "seccomp":
                    if (value == SeccompDefault.Unconfined)
                    {
                        seccompUnconfined = true;
                    }
                    else if (value == SeccompDefault.Builtin)
                    {
                        seccompBuiltin = true;
                    }
                    else if (value.TrimStart().StartsWith('{'))
                    {
                        profile = value;
                    }
                    else
                    {
                        throw BerthException.Invalid($"invalid --security-opt: {raw}: the daemon expects the profile's JSON content, not a path");
                    }

                    break;
                case "systempaths" when value == "unconfined":
                    unconfinedPaths = true;
                    break;
                case "apparmor" when value == "unconfined":
                case "label" when value == "disable":
                    // This kernel has neither AppArmor nor SELinux: "unconfined"/"disable" is the truth already.
                    break;
                case "apparmor" or "label":
                    throw BerthException.NotImplemented($"--security-opt {raw} is not supported: no {(key == "label" ? "SELinux" : "AppArmor")} on this host");
                default:
                    throw BerthException.Invalid($"invalid --security-opt: {raw}");
            }
        }

        return new SecurityOptions(noNewPrivileges, seccompUnconfined, profile, unconfinedPaths, seccompBuiltin);
    }
}
