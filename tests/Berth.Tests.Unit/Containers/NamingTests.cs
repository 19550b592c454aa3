using System.Text.RegularExpressions;
using Berth.Containers.Naming;
using Berth.Core.Errors;

namespace Berth.Tests.Unit.Containers;

public sealed class NamingTests
{
    [Theory]
    [InlineData("web", "web")]
    [InlineData("/web", "web")]
    [InlineData("a.b-c_d", "a.b-c_d")]
    public void Valid_names_are_normalised_without_the_slash(string given, string expected) =>
        Assert.Equal(expected, ContainerNames.Normalize(given));

    [Theory]
    [InlineData("x")]
    [InlineData("-web")]
    [InlineData("we b")]
    [InlineData("web/1")]
    public void Invalid_names_get_dockers_message(string name)
    {
        var e = Assert.Throws<BerthException>(() => ContainerNames.Normalize(name));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.Equal($"Invalid container name ({name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed", e.Message);
    }

    [Fact]
    public void Generated_names_are_adjective_underscore_surname()
    {
        for (var i = 0; i < 200; i++)
        {
            var n = NameGenerator.Generate();
            Assert.Matches(new Regex("^[a-z]+_[a-z]+$"), n);
            Assert.NotEqual("boring_wozniak", n);
            Assert.True(ContainerNames.IsValid(n));
        }

        Assert.Matches(new Regex("^[a-z]+_[a-z]+[0-9]$"), NameGenerator.Generate(retry: 3));
    }
}
