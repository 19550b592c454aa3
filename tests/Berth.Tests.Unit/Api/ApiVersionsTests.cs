using Berth.Api;

namespace Berth.Tests.Unit.Api;

public sealed class ApiVersionsTests
{
    [Theory]
    [InlineData("1.24", "1.50", -1)]
    [InlineData("1.50", "1.50", 0)]
    [InlineData("1.9", "1.24", -1)]
    [InlineData("1.100", "1.50", 1)]
    public void Versions_compare_numerically_not_as_text(string a, string b, int sign)
    {
        Assert.Equal(sign, Math.Sign(ApiVersions.Compare(a, b)));
    }

    [Theory]
    [InlineData("1.41", true)]
    [InlineData("1.x", false)]
    [InlineData("141", false)]
    public void Parses_only_major_dot_minor(string text, bool ok)
    {
        Assert.Equal(ok, ApiVersions.TryParse(text, out _));
    }
}
