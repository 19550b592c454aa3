using Berth.Core.Model;

namespace Berth.Tests.Unit.Core;

public sealed class UlimitTests
{
    [Theory]
    [InlineData("nofile=1024", "nofile", 1024, 1024)]
    [InlineData("nofile=1024:2048", "nofile", 1024, 2048)]
    [InlineData("core=-1", "core", -1, -1)]
    [InlineData("stack=10:-1", "stack", 10, -1)]
    [InlineData("nproc=+5:7", "nproc", 5, 7)]
    public void Valid_values_parse_as_docker_reads_them(string spec, string name, long soft, long hard)
    {
        var u = Ulimit.TryParse(spec, out var error);
        Assert.Null(error);
        Assert.Equal(new Ulimit(name, soft, hard), u);
    }

    // The messages are those the docker CLI 28.2.2 prints after `invalid argument "X" for "--ulimit" flag: `.
    [Theory]
    [InlineData("nofile", "invalid ulimit argument: nofile")]
    [InlineData("nofile=abc", "strconv.ParseInt: parsing \"abc\": invalid syntax")]
    [InlineData("foo=1", "invalid ulimit type: foo")]
    [InlineData("=5", "invalid ulimit type: ")]
    [InlineData("as=5", "invalid ulimit type: as")]
    [InlineData("nofile=1:2:3", "too many limit value arguments - 1:2:3, can only have up to two, `soft[:hard]`")]
    [InlineData("nofile=10:5", "ulimit soft limit must be less than or equal to hard limit: 10 > 5")]
    [InlineData("nofile=-1:10", "ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: 10")]
    [InlineData("nofile=abc:xyz", "strconv.ParseInt: parsing \"xyz\": invalid syntax")]
    [InlineData("nofile=:5", "strconv.ParseInt: parsing \"\": invalid syntax")]
    [InlineData("nofile=99999999999999999999", "strconv.ParseInt: parsing \"99999999999999999999\": value out of range")]
    public void Invalid_values_get_dockers_messages(string spec, string message)
    {
        Assert.Null(Ulimit.TryParse(spec, out var error));
        Assert.Equal(message, error);
    }

    [Fact]
    public void Json_limits_are_checked_like_flag_values_and_map_to_oci_names()
    {
        Assert.Null(new Ulimit("memlock", -1, -1).Validate());
        Assert.Equal("invalid ulimit type: bogus", new Ulimit("bogus", 1, 1).Validate());
        Assert.Equal("ulimit soft limit must be less than or equal to hard limit: 3 > 2", new Ulimit("nofile", 3, 2).Validate());
        Assert.Equal("RLIMIT_NOFILE", new Ulimit("nofile", 1, 1).RlimitType);
        Assert.Equal("RLIMIT_SIGPENDING", new Ulimit("sigpending", 1, 1).RlimitType);
    }
}
