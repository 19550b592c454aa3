using Berth.Core.Errors;
using Berth.Core.Filters;

namespace Berth.Tests.Unit.Core;

/// <summary>Docker's two filter shapes are accepted; anything else is "invalid filter" (400), not silently read.</summary>
public sealed class FilterShapeTests
{
    [Theory]
    [InlineData("""{"label":"a=b"}""", "invalid filter 'label'")]
    [InlineData("""{"label":[1]}""", "invalid filter 'label'")]
    [InlineData("""{"label":{"a":"yes"}}""", "invalid filter 'label'")]
    [InlineData("""{"label":null}""", "invalid filter 'label'")]
    [InlineData("""[1]""", "invalid filter")]
    [InlineData("""not json""", "invalid filter")]
    public void Other_shapes_are_refused(string json, string message)
    {
        var e = Assert.Throws<BerthException>(() => FilterSet.Parse(json));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.StartsWith(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Map_and_legacy_list_shapes_are_read()
    {
        Assert.Equal(["a=b"], FilterSet.Parse("""{"label":{"a=b":true,"c":false}}""").Get("label"));
        Assert.Equal(["a=b", "c"], FilterSet.Parse("""{"label":["a=b","c"]}""").Get("label"));
    }
}
