using Berth.Cli.Formatting;
using Berth.Cli.Templates;

namespace Berth.Tests.Unit.Cli;

/// <summary>Go's %v and encoding/json output for each composite kind of template value.</summary>
public sealed class GoValuesTests
{
    private static GoMap Map() => new(new SortedDictionary<string, object?>(StringComparer.Ordinal) { ["b"] = 2L, ["a"] = "x" }, stringValued: false);

    private static GoStruct Struct()
    {
        var s = new GoStruct([new("Name", "n"), new("Ports", new List<object?> { 80L, 443L }), new("Missing", GoNil.Pointer)]);
        s.Synthetic.Add("Missing");
        return s;
    }

    private static RowContext Row() => new RowContext("*formatter.test")
        .Add("Zeta", () => "<z>")
        .Add("Alpha", () => true)
        .AddLabels(null);

    [Fact]
    public void Percent_v_prints_maps_structs_contexts_and_lists_as_go_does()
    {
        Assert.Equal("map[a:x b:2]", GoValues.Sprint(Map()));
        Assert.Equal("{n [80 443] <nil>}", GoValues.Sprint(Struct()));
        Assert.Equal("&{<z> true }", GoValues.Sprint(Row()));
        Assert.Equal("[map[a:x b:2] []]", GoValues.Sprint(new List<object?> { Map(), new List<object?>() }));
    }

    [Fact]
    public void Json_leaves_out_synthetic_fields_and_sorts_and_escapes_formatting_contexts()
    {
        Assert.Equal("{\"a\":\"x\",\"b\":2}", GoValues.ToJson(Map()));
        Assert.Equal("{\"Name\":\"n\",\"Ports\":[80,443]}", GoValues.ToJson(Struct()));
        Assert.Equal("{\"Alpha\":true,\"Labels\":\"\",\"Zeta\":\"\\u003cz\\u003e\"}", GoValues.ToJson(Row()));
        Assert.Equal("[]", GoValues.ToJson(new List<object?>()));
    }

    [Fact]
    public void Label_method_takes_exactly_one_argument()
    {
        var row = new RowContext("*formatter.test").AddLabels(new System.Text.Json.Nodes.JsonObject { ["b"] = "2", ["a"] = "1" });
        Assert.True(row.TryGetField("Labels", [], out var labels));
        Assert.Equal("a=1,b=2", labels);
        Assert.True(row.TryGetField("Label", ["b"], out var b));
        Assert.Equal("2", b);
        Assert.True(row.TryGetField("Label", ["zz"], out var none));
        Assert.Equal(string.Empty, none);
        Assert.Throws<TemplateException>(() => row.TryGetField("Label", [], out _));
    }
}
