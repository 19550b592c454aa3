using System.Globalization;
using System.Text.RegularExpressions;
using Berth.Containers.Model;
using Berth.Containers.Store;
using Berth.Core.Errors;
using Berth.Core.Filters;

namespace Berth.Containers.Query;

/// <summary>
/// docker ps filtering over one snapshot, with Docker's semantics: name and id are (unanchored)
/// regular expressions, status and health are exact, before/since cut the creation-ordered list,
/// exited needs an exit code, limit takes the newest N whatever their state.
/// </summary>
public static class ContainerFilter
{
    public static readonly string[] Accepted =
        ["ancestor", "before", "exited", "id", "isolation", "label", "name", "status", "health", "since", "volume", "network", "is-task", "publish", "expose"];

    /// <param name="snapshot">The containers.</param>
    /// <param name="options">All/limit/filters.</param>
    /// <param name="ancestorImageIds">Image IDs the ancestor filter resolved to (null when no ancestor filter).</param>
    public static List<Container> Apply(ContainerSnapshot snapshot, ContainerListOptions options, IReadOnlySet<string>? ancestorImageIds)
    {
        var f = options.Filters.Accept(Accepted);
        var exited = f.Get("exited").Select(v => int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : throw BerthException.Invalid($"invalid filter 'exited={v}'")).ToList();
        foreach (var s in f.Get("status"))
        {
            if (!ContainerStatus.All.Contains(s))
            {
                throw BerthException.Invalid($"invalid filter 'status={s}': invalid value for state ({s}): must be one of created, running, paused, restarting, removing, exited, dead");
            }
        }

        foreach (var h in f.Get("health"))
        {
            if (h is not (HealthState.Starting or HealthState.Healthy or HealthState.Unhealthy or HealthState.NoHealthcheck))
            {
                throw BerthException.Invalid($"invalid filter 'health={h}': invalid value for health ({h}): must be one of none, starting, healthy, unhealthy");
            }
        }

        var all = options.All || f.Has("status");
        var isTask = f.GetBool("is-task");
        var before = f.Get("before").Select(v => snapshot.Find(v) ?? throw BerthException.NotFound($"No such container: {v}")).FirstOrDefault();
        var since = f.Get("since").Select(v => snapshot.Find(v) ?? throw BerthException.NotFound($"No such container: {v}")).FirstOrDefault();
        var nameRegexes = Regexes(f, "name");
        var idRegexes = Regexes(f, "id");
        if (f.Has("publish") || f.Has("expose"))
        {
            ValidatePorts(f);
        }

        var result = new List<Container>();
        var beforeSeen = before is null;
        foreach (var c in snapshot.NewestFirst)
        {
            if (!beforeSeen)
            {
                beforeSeen = c.Id == before!.Id;
                continue;
            }

            if (since is not null && c.Id == since.Id)
            {
                break;
            }

            if (!c.State.Running && !all && options.Limit <= 0)
            {
                continue;
            }

            if (nameRegexes is not null && !nameRegexes.Any(r => r.IsMatch(c.Name) || r.IsMatch("/" + c.Name)))
            {
                continue;
            }

            if (idRegexes is not null && !idRegexes.Any(r => r.IsMatch(c.Id)))
            {
                continue;
            }

            if (isTask == true)
            {
                continue;
            }

            if (!f.MatchesLabels("label", c.Config.Labels))
            {
                continue;
            }

            if (options.Limit > 0 && result.Count == options.Limit)
            {
                break;
            }

            if (exited.Count > 0 && !(exited.Contains(c.State.ExitCode) && !c.State.Running && c.State.StartedAt is not null))
            {
                continue;
            }

            if (!f.AnyOrAbsent("status", s => s == c.State.Status))
            {
                continue;
            }

            if (!f.AnyOrAbsent("health", h => h == (c.State.Health?.Status ?? HealthState.NoHealthcheck)))
            {
                continue;
            }

            if (f.Has("volume") && !f.Get("volume").Any(v => c.Mounts.Any(m => m.Destination == v || m.Name == v || (m.Name.Length == 0 && m.Source == v))))
            {
                continue;
            }

            if (f.Has("network") && !f.Get("network").Any(n => NetworkName(c) == n))
            {
                continue;
            }

            if (ancestorImageIds is not null && !ancestorImageIds.Contains(c.ImageId) && !f.Get("ancestor").Contains(c.Config.Image))
            {
                continue;
            }

            if (f.Has("isolation") && !f.Get("isolation").Any(i => i is "default" or ""))
            {
                continue;
            }

            if (f.Has("expose") && !f.Get("expose").Any(p => (c.Config.ExposedPorts ?? []).Contains(p.Contains('/') ? p : p + "/tcp")))
            {
                continue;
            }

            if (f.Has("publish"))
            {
                // No container publishes ports until networking lands.
                continue;
            }

            result.Add(c);
        }

        return result;
    }

    /// <summary>The network a container is attached to, as the network= filter and NetworkSettings name it.</summary>
    public static string NetworkName(Container c) =>
        c.HostConfig.NetworkMode.StartsWith("container:", StringComparison.Ordinal) ? string.Empty : c.HostConfig.NetworkMode;

    private static List<Regex>? Regexes(FilterSet f, string name)
    {
        if (!f.Has(name))
        {
            return null;
        }

        try
        {
            return [.. f.Get(name).Select(v => new Regex(v, RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1)))];
        }
        catch (ArgumentException e)
        {
            throw BerthException.Invalid($"invalid filter '{name}': {e.Message}");
        }
    }

    private static void ValidatePorts(FilterSet f)
    {
        foreach (var key in new[] { "publish", "expose" })
        {
            foreach (var v in f.Get(key))
            {
                if (v.Contains(':', StringComparison.Ordinal))
                {
                    throw BerthException.Invalid($"filter for '{key}' should not contain ':': {v}");
                }
            }
        }
    }
}
