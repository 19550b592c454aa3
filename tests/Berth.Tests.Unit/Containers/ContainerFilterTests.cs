using System.Collections.Immutable;
using Berth.Containers.Model;
using Berth.Containers.Query;
using Berth.Containers.Store;
using Berth.Core.Errors;
using Berth.Core.Filters;

namespace Berth.Tests.Unit.Containers;

public sealed class ContainerFilterTests
{
    private static readonly DateTimeOffset T0 = new(2025, 1, 1, 0, 0, 0, TimeSpan.Zero);

    private static Container C(string id, string name, int minute, ContainerState state, Dictionary<string, string>? labels = null) => new()
    {
        Id = id.PadRight(64, '0'),
        Name = name,
        Created = T0.AddMinutes(minute),
        Path = "sh",
        Config = new ContainerConfig { Image = "busybox", Labels = labels ?? [] },
        HostConfig = new HostConfig(),
        ImageId = "sha256:img",
        State = state,
        Directory = "/x",
        LogPath = "/x/log",
    };

    private static readonly ContainerSnapshot Snapshot = Build(
        C("aaa1", "web", 1, new ContainerState { Running = true, StartedAt = T0 }, new() { ["tier"] = "front" }),
        C("bbb2", "db", 2, new ContainerState { StartedAt = T0, FinishedAt = T0, ExitCode = 3 }),
        C("ccc3", "cache", 3, new ContainerState()),
        C("ddd4", "webhook", 4, new ContainerState { Running = true, StartedAt = T0, Health = new HealthState { Status = HealthState.Unhealthy } }));

    private static ContainerSnapshot Build(params Container[] cs)
    {
        var store = typeof(ContainerSnapshot).GetConstructors(System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)[0];
        return (ContainerSnapshot)store.Invoke([cs.ToImmutableDictionary(c => c.Id), cs.ToImmutableDictionary(c => c.Name, c => c.Id)]);
    }

    private static List<string> Names(bool all = false, string? filters = null, int limit = 0) =>
        [.. ContainerFilter.Apply(Snapshot, new ContainerListOptions { All = all, Limit = limit, Filters = FilterSet.Parse(filters) }, null).Select(c => c.Name)];

    [Fact]
    public void Running_only_by_default_newest_first() => Assert.Equal(["webhook", "web"], Names());

    [Fact]
    public void All_lists_every_state() => Assert.Equal(["webhook", "cache", "db", "web"], Names(all: true));

    [Fact]
    public void Limit_takes_the_newest_whatever_their_state() => Assert.Equal(["webhook", "cache"], Names(limit: 2));

    [Fact]
    public void Name_is_an_unanchored_regular_expression() => Assert.Equal(["webhook", "web"], Names(all: true, filters: "{\"name\":[\"web\"]}"));

    [Fact]
    public void Status_implies_all_and_is_exact()
    {
        Assert.Equal(["db"], Names(filters: "{\"status\":[\"exited\"]}"));
        Assert.Equal(["cache"], Names(filters: "{\"status\":[\"created\"]}"));
        var e = Assert.Throws<BerthException>(() => Names(filters: "{\"status\":[\"bogus\"]}"));
        Assert.StartsWith("invalid filter 'status=bogus'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Exited_needs_a_started_stopped_container_with_that_code() =>
        Assert.Equal(["db"], Names(all: true, filters: "{\"exited\":[\"3\"]}"));

    [Fact]
    public void Labels_health_id_before_and_since()
    {
        Assert.Equal(["web"], Names(all: true, filters: "{\"label\":[\"tier=front\"]}"));
        Assert.Equal(["webhook"], Names(all: true, filters: "{\"health\":[\"unhealthy\"]}"));
        Assert.Equal(["cache", "db", "web"], Names(all: true, filters: "{\"health\":[\"none\"]}"));
        Assert.Equal(["db"], Names(all: true, filters: "{\"id\":[\"^bbb\"]}"));
        Assert.Equal(["db", "web"], Names(all: true, filters: "{\"before\":[\"cache\"]}"));
        Assert.Equal(["webhook"], Names(all: true, filters: "{\"since\":[\"cache\"]}"));
    }

    [Fact]
    public void Unknown_filters_are_refused() =>
        Assert.Equal("invalid filter 'colour'", Assert.Throws<BerthException>(() => Names(filters: "{\"colour\":[\"red\"]}")).Message);
}
