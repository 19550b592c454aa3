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

            if (f.Has("network") && !f.Get("network").Any(n => NetworkNames(c).Contains(n) || (c.Network?.Endpoints.Any(e => e.NetworkId == n) ?? false)))
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

            if (f.Has("expose") && !f.Get("expose").Any(p => MatchesPort(p, c.Config.ExposedPorts ?? [])))
            {
                continue;
            }

            if (f.Has("publish") && !f.Get("publish").Any(p => MatchesPort(p, PublishedPorts(c))))
            {
                continue;
            }

            result.Add(c);
        }

        return result;
    }

    /// <summary>The networks a container is configured for, by name, as the network= filter and NetworkSettings.Networks name them.</summary>
    public static IReadOnlyList<string> NetworkNames(Container c)
    {
        if (c.HostConfig.NetworkMode.StartsWith("container:", StringComparison.Ordinal))
        {
            return [];
        }

        return c.NetworkEndpoints.Count > 0
            ? [.. c.NetworkEndpoints.Keys.Order(StringComparer.Ordinal)]
            : [c.HostConfig.NetworkMode];
    }

    /// <summary>Container ports ("80/tcp") the container publishes on the host (-p, or -P over its exposed ports).</summary>
    private static IEnumerable<string> PublishedPorts(Container c) =>
        (c.HostConfig.PortBindings?.Keys ?? []).Concat(c.HostConfig.PublishAllPorts ? c.Config.ExposedPorts ?? [] : []);

    /// <summary>publish=/expose= values: "80", "80/udp" or a range "8000-8080[/tcp]".</summary>
    private static bool MatchesPort(string filter, IEnumerable<string> ports)
    {
        var slash = filter.IndexOf('/', StringComparison.Ordinal);
        var proto = slash < 0 ? "tcp" : filter[(slash + 1)..];
        var range = slash < 0 ? filter : filter[..slash];
        var dash = range.IndexOf('-', StringComparison.Ordinal);
        if (!int.TryParse(dash < 0 ? range : range[..dash], System.Globalization.CultureInfo.InvariantCulture, out var low)
            || !int.TryParse(dash < 0 ? range : range[(dash + 1)..], System.Globalization.CultureInfo.InvariantCulture, out var high))
        {
            return false;
        }

        return ports.Any(p =>
        {
            var ps = p.IndexOf('/', StringComparison.Ordinal);
            return (ps < 0 ? "tcp" : p[(ps + 1)..]) == proto
                && int.TryParse(ps < 0 ? p : p[..ps], System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= low && n <= high;
        });
    }

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
