using Berth.Core.Errors;
using Berth.Core.Filters;

namespace Berth.Tests.Unit.Core;

public sealed class FilterSetTests
{
    [Fact]
    public void Reads_both_the_list_form_and_the_legacy_map_form()
    {
        var list = FilterSet.Parse("""{"status":["running","exited"]}""");
        var legacy = FilterSet.Parse("""{"status":{"running":true,"exited":true,"paused":false}}""");
        Assert.Equal(["running", "exited"], list.Get("status"));
        Assert.Equal(["running", "exited"], legacy.Get("status"));
    }

    [Fact]
    public void Unknown_filter_names_are_refused_with_dockers_message()
    {
        var e = Assert.Throws<BerthException>(() => FilterSet.Parse("""{"colour":["red"]}""").Accept("status", "name"));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Equal("invalid filter 'colour'", e.Message);
    }

    [Fact]
    public void Malformed_json_is_an_invalid_argument()
    {
        var e = Assert.Throws<BerthException>(() => FilterSet.Parse("{nope"));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
    }

    [Fact]
    public void Label_filters_need_every_value_to_match()
    {
        var f = FilterSet.Parse("""{"label":["a","b=2"]}""");
        Assert.True(f.MatchesLabels("label", new Dictionary<string, string> { ["a"] = "x", ["b"] = "2" }));
        Assert.False(f.MatchesLabels("label", new Dictionary<string, string> { ["a"] = "x", ["b"] = "3" }));
        Assert.False(f.MatchesLabels("label", new Dictionary<string, string> { ["b"] = "2" }));
    }

    [Fact]
    public void Boolean_filters_accept_only_true_false_1_0()
    {
        Assert.True(FilterSet.Parse("""{"dangling":["true"]}""").GetBool("dangling"));
        Assert.False(FilterSet.Parse("""{"dangling":["0"]}""").GetBool("dangling"));
        Assert.Null(FilterSet.Empty.GetBool("dangling"));
        Assert.Throws<BerthException>(() => FilterSet.Parse("""{"dangling":["maybe"]}""").GetBool("dangling"));
    }
}
