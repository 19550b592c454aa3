using Berth.Containers.Model;
using Berth.Core.Errors;
using Berth.Core.Model;

namespace Berth.Containers.Create;

/// <summary>
/// Docker's rules for combining the create request's Config with the image's config, and for
/// deriving the process path and arguments.
/// </summary>
public static class ConfigMerger
{
    /// <summary>
    /// User values win; Env keeps the user's entries first, then image entries whose key the user
    /// did not set; labels and exposed ports are unions; an Entrypoint from the request resets the
    /// image's Cmd; an Entrypoint of [""] clears the image's Entrypoint; health check fields fall
    /// back one by one.
    /// </summary>
    public static ContainerConfig Merge(ContainerConfig user, ImageConfig image)
    {
        var merged = user;
        if (string.IsNullOrEmpty(user.User))
        {
            merged = merged with { User = image.User ?? string.Empty };
        }

        merged = merged with { ExposedPorts = Union(user.ExposedPorts, image.ExposedPorts) };

        if (user.Env.Count == 0)
        {
            merged = merged with { Env = [.. image.Env] };
        }
        else
        {
            var keys = new HashSet<string>(user.Env.Select(EnvKey), StringComparer.Ordinal);
            merged = merged with { Env = [.. user.Env, .. image.Env.Where(e => !keys.Contains(EnvKey(e)))] };
        }

        var labels = new Dictionary<string, string>(user.Labels, StringComparer.Ordinal);
        foreach (var (k, v) in image.Labels)
        {
            labels.TryAdd(k, v);
        }

        merged = merged with { Labels = labels };

        if (IsClearedEntrypoint(user.Entrypoint))
        {
            // --entrypoint "": no entrypoint at all, and the image's Cmd is not used either.
            merged = merged with { Entrypoint = null, Cmd = user.Cmd is { Count: > 0 } ? user.Cmd : null };
        }
        else if (user.Entrypoint is not { Count: > 0 })
        {
            if (user.Cmd is not { Count: > 0 })
            {
                merged = merged with { Cmd = image.Cmd, ArgsEscaped = image.ArgsEscaped };
            }

            merged = merged with { Entrypoint = image.Entrypoint is { Count: > 0 } ? image.Entrypoint : null };
        }

        merged = merged with { Healthcheck = MergeHealth(user.Healthcheck, image.Healthcheck) };

        if (string.IsNullOrEmpty(user.WorkingDir))
        {
            merged = merged with { WorkingDir = image.WorkingDir ?? string.Empty };
        }

        merged = merged with { Volumes = Union(user.Volumes, image.Volumes) };

        if (string.IsNullOrEmpty(user.StopSignal))
        {
            merged = merged with { StopSignal = string.IsNullOrEmpty(image.StopSignal) ? null : image.StopSignal };
        }

        if (user.Shell is null && image.Shell is { Count: > 0 })
        {
            merged = merged with { Shell = image.Shell };
        }

        if (user.OnBuild is null && image.OnBuild is { Count: > 0 })
        {
            merged = merged with { OnBuild = image.OnBuild };
        }

        return merged;
    }

    /// <summary>The process: entrypoint[0] with the rest of the entrypoint and the Cmd as arguments.</summary>
    public static (string Path, IReadOnlyList<string> Args) EntrypointAndArgs(ContainerConfig config)
    {
        if (config.Entrypoint is { Count: > 0 } ep)
        {
            return (ep[0], [.. ep.Skip(1), .. config.Cmd ?? []]);
        }

        if (config.Cmd is { Count: > 0 } cmd)
        {
            return (cmd[0], [.. cmd.Skip(1)]);
        }

        throw BerthException.Invalid("no command specified");
    }

    public static bool IsClearedEntrypoint(IReadOnlyList<string>? entrypoint) =>
        entrypoint is { Count: 1 } && entrypoint[0].Length == 0;

    public static string EnvKey(string entry)
    {
        var eq = entry.IndexOf('=', StringComparison.Ordinal);
        return eq < 0 ? entry : entry[..eq];
    }

    private static HealthConfig? MergeHealth(HealthConfig? user, HealthConfig? image)
    {
        if (image is null)
        {
            return user;
        }

        if (user is null)
        {
            return image;
        }

        return user with
        {
            Test = user.Test is { Count: > 0 } ? user.Test : image.Test,
            Interval = user.Interval == 0 ? image.Interval : user.Interval,
            Timeout = user.Timeout == 0 ? image.Timeout : user.Timeout,
            StartPeriod = user.StartPeriod == 0 ? image.StartPeriod : user.StartPeriod,
            StartInterval = user.StartInterval == 0 ? image.StartInterval : user.StartInterval,
            Retries = user.Retries == 0 ? image.Retries : user.Retries,
        };
    }

    private static IReadOnlyList<string>? Union(IReadOnlyList<string>? user, IReadOnlyList<string>? image)
    {
        if (user is not { Count: > 0 })
        {
            return image is { Count: > 0 } ? [.. image] : user;
        }

        if (image is not { Count: > 0 })
        {
            return user;
        }

        return [.. user, .. image.Where(i => !user.Contains(i, StringComparer.Ordinal))];
    }
}
