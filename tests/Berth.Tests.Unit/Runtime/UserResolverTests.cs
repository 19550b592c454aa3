using Berth.Core.Errors;
using Berth.Runtime.Oci;

namespace Berth.Tests.Unit.Runtime;

public sealed class UserResolverTests
{
    private const string Passwd = "# comment\nroot:x:0:0:root:/root:/bin/sh\napp:x:1000:1001:App:/home/app:/bin/sh\nsvc:x:999:999::/:/bin/false\n";
    private const string Group = "root:x:0:\nwheel:x:10:app\ndocker:x:998:svc,app\napp:x:1001:\nstaff:x:50:\n";

    [Theory]
    [InlineData("", 0u, 0u, "/root")]
    [InlineData("app", 1000u, 1001u, "/home/app")]
    [InlineData("1000", 1000u, 1001u, "/home/app")]
    [InlineData("4242", 4242u, 0u, "/")]
    [InlineData("app:staff", 1000u, 50u, "/home/app")]
    [InlineData("app:7", 1000u, 7u, "/home/app")]
    [InlineData("4242:4343", 4242u, 4343u, "/")]
    public void Resolves_DockersUserSyntax(string user, uint uid, uint gid, string home)
    {
        var r = UserResolver.Resolve(user, [], Passwd, Group);
        Assert.Equal((uid, gid, home), (r.Uid, r.Gid, r.Home));
    }

    [Fact]
    public void SupplementaryGroups_FromGroupFile_AndGroupAdd()
    {
        var r = UserResolver.Resolve("app", ["staff", "4000"], Passwd, Group);
        Assert.Equal([1001u, 10u, 998u, 50u, 4000u], r.AdditionalGids);
        Assert.Equal([50u], UserResolver.Resolve("app:staff", [], Passwd, Group).AdditionalGids);
        Assert.Equal([0u], UserResolver.Resolve("", [], Passwd, Group).AdditionalGids);
        Assert.Equal([0u], UserResolver.Resolve("4242", [], Passwd, Group).AdditionalGids);
    }

    [Fact]
    public void Unknown_UserOrGroup_HasDockersMessage()
    {
        Assert.Equal("unable to find user ghost: no matching entries in passwd file",
            Assert.Throws<BerthException>(() => UserResolver.Resolve("ghost", [], Passwd, Group)).Message);
        Assert.Equal("unable to find user ghost: no matching entries in passwd file",
            Assert.Throws<BerthException>(() => UserResolver.Resolve("ghost", [], null, null)).Message);
        Assert.Equal("unable to find group nogroup: no matching entries in group file",
            Assert.Throws<BerthException>(() => UserResolver.Resolve("app:nogroup", [], Passwd, Group)).Message);
        Assert.Equal(ErrorKind.InvalidArgument, Assert.Throws<BerthException>(() => UserResolver.Resolve("root", ["ghosts"], Passwd, Group)).Kind);
    }

    [Fact]
    public void NoPasswdFile_NumericUsersStillWork()
    {
        var r = UserResolver.Resolve("", [], null, null);
        Assert.Equal((0u, 0u), (r.Uid, r.Gid));
        Assert.Equal(123u, UserResolver.Resolve("123:456", [], null, null).Uid);
    }
}
