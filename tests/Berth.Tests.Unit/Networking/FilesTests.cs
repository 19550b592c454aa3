using Berth.Core.Errors;
using Berth.Networking.Files;

namespace Berth.Tests.Unit.Networking;

public sealed class FilesTests
{
    private const string Defaults = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n";

    [Fact]
    public void Hosts_file_matches_dockers_layout()
    {
        var text = HostsFile.Build("9b919d92824f", string.Empty, [("1.2.3.4", "foo")], ["172.17.0.2"]);
        Assert.Equal(Defaults + "1.2.3.4\tfoo\n172.17.0.2\t9b919d92824f\n", text);
    }

    [Fact]
    public void Hosts_file_has_fqdn_and_short_name_and_one_line_per_endpoint()
    {
        var text = HostsFile.Build("web", "example.com", [], ["172.18.0.2", "172.19.0.5"]);
        Assert.EndsWith("172.18.0.2\tweb.example.com web\n172.19.0.5\tweb.example.com web\n", text, StringComparison.Ordinal);
        Assert.Equal(Defaults, HostsFile.Build("x", string.Empty, [], []));
    }

    [Theory]
    [InlineData("foo:1.2.3.4", "1.2.3.4", "foo")]
    [InlineData("foo=1.2.3.4", "1.2.3.4", "foo")]
    [InlineData("v6:::1", "::1", "v6")]
    [InlineData("v6=[fe80::1]", "fe80::1", "v6")]
    [InlineData("gw:host-gateway", "host-gateway", "gw")]
    public void Extra_hosts_parse(string entry, string ip, string name) => Assert.Equal((ip, name), HostsFile.ParseExtraHost(entry));

    [Fact]
    public void Bad_extra_hosts_are_refused() => Assert.Throws<BerthException>(() => HostsFile.ParseExtraHost("nocolon"));

    [Fact]
    public void Host_resolv_conf_loses_localhost_and_ipv6_servers_as_in_docker()
    {
        Assert.Equal("nameserver 10.255.255.53", ResolvConf.FilterHost("nameserver 10.255.255.53"));
        Assert.Equal("search corp\nnameserver 10.0.0.2\n", ResolvConf.FilterHost("search corp\nnameserver 127.0.0.53\nnameserver 10.0.0.2\nnameserver fe80::1\n"));
        Assert.Equal("options edns0\n\nnameserver 8.8.8.8\nnameserver 8.8.4.4", ResolvConf.FilterHost("options edns0\nnameserver 127.0.0.1\n"));
    }

    [Fact]
    public void Resolv_conf_is_built_from_dns_options_in_dockers_order()
    {
        Assert.Equal("search a.example b.example\nnameserver 1.1.1.1\nnameserver 9.9.9.9\noptions ndots:2 timeout:1\n",
            ResolvConf.Build(["1.1.1.1", "9.9.9.9"], ["a.example", "b.example"], ["ndots:2", "timeout:1"]));
        Assert.Equal("nameserver 1.1.1.1\n", ResolvConf.Build(["1.1.1.1"], ["."], []));
    }

    [Fact]
    public void Embedded_resolv_conf_points_at_127_0_0_11_with_ndots_0_unless_the_user_set_ndots()
    {
        Assert.Equal("nameserver 127.0.0.11\noptions ndots:0\n", ResolvConf.BuildEmbedded("nameserver 127.0.0.1\n"));
        Assert.Equal("search corp\nnameserver 127.0.0.11\noptions edns0 ndots:0\n", ResolvConf.BuildEmbedded("search corp\nnameserver 10.0.0.2\noptions edns0\n"));
        Assert.Equal("nameserver 127.0.0.11\noptions ndots:3\n", ResolvConf.BuildEmbedded("nameserver 10.0.0.2\noptions ndots:3\n"));
    }

    [Fact]
    public void Nameservers_search_and_options_are_read_ignoring_comments()
    {
        const string text = "# generated\nnameserver 10.0.0.2 # main\nnameserver ::1\nsearch a b\nsearch c\noptions rotate\n";
        Assert.Equal(["10.0.0.2", "::1"], ResolvConf.Nameservers(text));
        Assert.Equal(["c"], ResolvConf.Search(text));
        Assert.Equal(["rotate"], ResolvConf.Options(text));
        Assert.True(ResolvConf.IsLocalhost("127.0.0.53"));
        Assert.False(ResolvConf.IsLocalhost("10.0.0.2"));
    }
}
