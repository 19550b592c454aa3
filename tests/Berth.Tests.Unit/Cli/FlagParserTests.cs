using Berth.Cli.Parsing;

namespace Berth.Tests.Unit.Cli;

public sealed class FlagParserTests
{
    private static readonly List<FlagSpec> RunFlags =
    [
        Flag.Bool("d|detach", "d"),
        Flag.Bool("i|interactive", "i"),
        Flag.Bool("t|tty", "t"),
        Flag.Bool("rm", "rm"),
        Flag.String("name", "name"),
        Flag.List("e|env", "env"),
        Flag.Int("n|last", "n", "-1"),
        Flag.Bytes("m|memory", "m"),
        Flag.Duration("health-interval", "h"),
    ];

    [Fact]
    public void Run_stops_at_the_first_positional_so_container_flags_reach_the_command()
    {
        var p = FlagParser.Parse(RunFlags, ["--rm", "busybox", "sh", "-c", "echo hi", "--rm"], interspersed: false);
        Assert.True(p.Bool("rm"));
        Assert.Equal(["busybox", "sh", "-c", "echo hi", "--rm"], p.Args);
    }

    [Fact]
    public void A_hidden_alias_adds_to_the_flag_it_stands_for()
    {
        var network = Flag.List("network", "network");
        List<FlagSpec> specs = [network, Flag.Alias("net", network)];
        var p = FlagParser.Parse(specs, ["--net", "a", "--network=b", "--net=c"], interspersed: true);
        Assert.Equal(["a", "b", "c"], p.List("network"));
        Assert.False(p.IsSet("net"));
        Assert.True(specs[1].Hidden);
    }

    [Fact]
    public void Flags_may_be_interspersed_for_ordinary_commands()
    {
        var p = FlagParser.Parse(RunFlags, ["a", "-d", "b", "--name", "x", "c"], interspersed: true);
        Assert.Equal(["a", "b", "c"], p.Args);
        Assert.True(p.Bool("detach"));
        Assert.Equal("x", p.String("name"));
    }

    [Theory]
    [InlineData("-dit")]
    [InlineData("-itd")]
    [InlineData("-tid")]
    public void Combined_short_booleans_set_each_flag(string combined)
    {
        var p = FlagParser.Parse(RunFlags, [combined, "busybox"], interspersed: false);
        Assert.True(p.Bool("detach") && p.Bool("interactive") && p.Bool("tty"));
        Assert.Equal(["busybox"], p.Args);
    }

    [Theory]
    [InlineData(new[] { "-e=X=1" }, "X=1")]
    [InlineData(new[] { "-eX=1" }, "X=1")]
    [InlineData(new[] { "-e", "X=1" }, "X=1")]
    [InlineData(new[] { "--env=X=1" }, "X=1")]
    [InlineData(new[] { "--env", "X=1" }, "X=1")]
    [InlineData(new[] { "-de", "X=1" }, "X=1")]
    public void Value_forms_of_pflag_are_accepted(string[] args, string expected)
    {
        var p = FlagParser.Parse(RunFlags, args, interspersed: true);
        Assert.Equal([expected], p.List("env"));
    }

    [Fact]
    public void Repeated_list_flags_keep_every_value_in_order()
    {
        var p = FlagParser.Parse(RunFlags, ["-e", "A=1", "--env", "B=2", "-eC=3"], interspersed: true);
        Assert.Equal(["A=1", "B=2", "C=3"], p.List("env"));
    }

    [Fact]
    public void A_value_flag_takes_the_next_argument_even_when_it_looks_like_a_flag()
    {
        var p = FlagParser.Parse(RunFlags, ["--name", "-x"], interspersed: true);
        Assert.Equal("-x", p.String("name"));
    }

    [Fact]
    public void Double_dash_ends_flags()
    {
        var p = FlagParser.Parse(RunFlags, ["-d", "--", "-i", "--rm"], interspersed: true);
        Assert.True(p.Bool("detach"));
        Assert.False(p.Bool("interactive"));
        Assert.Equal(["-i", "--rm"], p.Args);
    }

    [Fact]
    public void A_lone_dash_is_a_positional_argument()
    {
        var p = FlagParser.Parse(RunFlags, ["-", "x"], interspersed: true);
        Assert.Equal(["-", "x"], p.Args);
    }

    [Fact]
    public void Bool_flags_accept_explicit_values()
    {
        var p = FlagParser.Parse(RunFlags, ["--rm=false", "-d=true"], interspersed: true);
        Assert.False(p.Bool("rm", true));
        Assert.True(p.Bool("detach"));
    }

    [Theory]
    [InlineData(new[] { "--foo" }, "unknown flag: --foo")]
    [InlineData(new[] { "-x" }, "unknown shorthand flag: 'x' in -x")]
    [InlineData(new[] { "-dx" }, "unknown shorthand flag: 'x' in -x")]
    [InlineData(new[] { "--name" }, "flag needs an argument: --name")]
    [InlineData(new[] { "-e" }, "flag needs an argument: 'e' in -e")]
    [InlineData(new[] { "-n", "abc" }, "invalid argument \"abc\" for \"-n, --last\" flag: strconv.ParseInt: parsing \"abc\": invalid syntax")]
    [InlineData(new[] { "--rm=foo" }, "invalid argument \"foo\" for \"--rm\" flag: strconv.ParseBool: parsing \"foo\": invalid syntax")]
    [InlineData(new[] { "-m", "lots" }, "invalid argument \"lots\" for \"-m, --memory\" flag: invalid size: 'lots'")]
    [InlineData(new[] { "--health-interval", "soon" }, "invalid argument \"soon\" for \"--health-interval\" flag: time: invalid duration \"soon\"")]
    public void Errors_use_pflags_wording(string[] args, string message)
    {
        var e = Assert.Throws<UsageException>(() => FlagParser.Parse(RunFlags, args, interspersed: true));
        Assert.Equal(message, e.Message);
        Assert.Equal(125, e.ExitCode);
    }

    [Theory]
    [InlineData("64m", 67108864L)]
    [InlineData("1g", 1073741824L)]
    [InlineData("512k", 524288L)]
    [InlineData("100", 100L)]
    [InlineData("1.5MB", 1572864L)]
    public void Memory_sizes_use_binary_multipliers(string text, long bytes) =>
        Assert.Equal(bytes, GoParse.RamInBytes(text));

    [Theory]
    [InlineData("1s", 1_000_000_000L)]
    [InlineData("1m30s", 90_000_000_000L)]
    [InlineData("300ms", 300_000_000L)]
    [InlineData("1.5h", 5_400_000_000_000L)]
    [InlineData("0", 0L)]
    public void Durations_parse_like_go(string text, long nanos) =>
        Assert.Equal(nanos, GoParse.ParseDuration(text));

    [Theory]
    [InlineData("sh -c 'x'", "\"sh -c 'x'\"")]
    [InlineData("a\"b", "\"a\\\"b\"")]
    [InlineData("tab\there", "\"tab\\there\"")]
    [InlineData("sleep…", "\"sleep…\"")]
    public void Quote_matches_strconv_quote(string input, string quoted) =>
        Assert.Equal(quoted, GoParse.Quote(input));
}
