using Berth.Core.Errors;
using Berth.Core.Model;
using Berth.Networking.Model;
using Berth.Networking.Nat;

namespace Berth.Tests.Unit.Networking;

/// <summary>Interface names as the kernel takes them, and never anything that changes nftables ruleset text.</summary>
public sealed class InterfaceNameTests
{
    [Theory]
    [InlineData("berth0")]
    [InlineData("br-0123456789ab")]
    [InlineData("eth0.10")]
    [InlineData("a_b-c.d@e")]
    [InlineData("fifteen-chars-x")]
    public void Kernel_style_names_are_accepted(string name) => Assert.Null(InterfaceName.Problem(name));

    [Theory]
    [InlineData("")]
    [InlineData("sixteen-chars-xx")]
    [InlineData(".")]
    [InlineData("..")]
    [InlineData("a/b")]
    [InlineData("a:b")]
    [InlineData("a b")]
    [InlineData("a\tb")]
    [InlineData("x\";flush")]
    [InlineData("x\"; flush ruleset;")]
    [InlineData("a'b")]
    [InlineData("a\\b")]
    [InlineData("a}b")]
    [InlineData("é")]
    public void Names_the_kernel_or_the_ruleset_cannot_take_are_refused(string name)
    {
        Assert.NotNull(InterfaceName.Problem(name));
        var e = Assert.Throws<BerthException>(() => InterfaceName.Validate(name, "bridge name"));
        Assert.Equal(ErrorKind.InvalidArgument, e.Kind);
        Assert.StartsWith("invalid bridge name", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_ruleset_never_writes_a_name_that_could_end_its_string()
    {
        var hostile = new NatNetwork("x\";flush", "172.30.0.0/16", false, true);
        Assert.Throws<ArgumentException>(() => NftRuleset.Table("berth", [hostile], []));
        Assert.Contains("\"berth0\"", NftRuleset.Table("berth", [new NatNetwork("berth0", "172.17.0.0/16", false, true)], []), StringComparison.Ordinal);
    }
}
