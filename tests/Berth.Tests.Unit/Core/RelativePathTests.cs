using Berth.Core.Text;

namespace Berth.Tests.Unit.Core;

public sealed class RelativePathTests
{
    [Theory]
    [InlineData("a/b/c", "a/b/c")]
    [InlineData("./a//b/./", "a/b")]
    [InlineData("/etc/passwd", "etc/passwd")]
    [InlineData("a/../b", "b")]
    [InlineData("a/..", "")]
    [InlineData(".", "")]
    [InlineData("../x", null)]
    [InlineData("a/../../x", null)]
    [InlineData("/../etc", null)]
    public void Cleans_lexically_and_refuses_climbing_above_the_root(string path, string? expected) =>
        Assert.Equal(expected, RelativePath.Clean(path));
}
