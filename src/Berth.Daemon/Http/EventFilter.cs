using Berth.Core.Events;
using Berth.Core.Filters;

namespace Berth.Daemon.Http;

/// <summary>The filters of <c>/events</c>: type, event/action, container, image, label, network, volume, daemon, scope.</summary>
public sealed class EventFilter
{
    private readonly FilterSet _filters;

    private EventFilter(FilterSet filters, DateTimeOffset? since, DateTimeOffset? until)
    {
        _filters = filters;
        Since = since;
        Until = until;
    }

    public DateTimeOffset? Since { get; }

    public DateTimeOffset? Until { get; }

    public static EventFilter Parse(string? filters, string? since, string? until, DateTimeOffset now)
    {
        var f = FilterSet.Parse(filters).Accept("type", "event", "container", "image", "label", "network", "volume", "daemon", "scope", "node", "service", "plugin", "config", "secret");
        return new EventFilter(f, TimeFilter.Parse(since, now), TimeFilter.Parse(until, now));
    }

    public bool Matches(EngineEvent ev)
    {
        if (Since is { } s && ev.Time < s)
        {
            return false;
        }

        if (Until is { } u && ev.Time > u)
        {
            return false;
        }

        var name = ev.Attributes.TryGetValue("name", out var n) ? n : null;
        bool IsActor(string v) => ev.ActorId == v || ev.ActorId.StartsWith(v, StringComparison.Ordinal) || name == v;

        return _filters.AnyOrAbsent("type", t => t == ev.Type)
            && _filters.AnyOrAbsent("event", a => a == ev.Action || ev.Action.StartsWith(a + ":", StringComparison.Ordinal))
            && _filters.AnyOrAbsent("scope", sc => sc == ev.Scope)
            && (!_filters.Has("container") || (ev.Type == "container" && _filters.Get("container").Any(IsActor)))
            && (!_filters.Has("network") || (ev.Type == "network" && _filters.Get("network").Any(IsActor)))
            && (!_filters.Has("volume") || (ev.Type == "volume" && _filters.Get("volume").Any(IsActor)))
            && (!_filters.Has("image") || _filters.Get("image").Any(i => (ev.Type == "image" && IsActor(i)) || (ev.Attributes.TryGetValue("image", out var img) && (img == i || img.StartsWith(i + ":", StringComparison.Ordinal)))))
            && _filters.MatchesLabels("label", ev.Attributes);
    }
}
