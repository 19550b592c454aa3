using System.Text.Json.Nodes;
using Berth.Cli.Commands;
using Berth.Cli.Formatting;

namespace Berth.Tests.Unit.Cli;

public sealed class FormattingTests
{
    [Theory]
    [InlineData(0, "0B")]
    [InlineData(999, "999B")]
    [InlineData(1000, "1kB")]
    [InlineData(1984000, "1.984MB")]
    [InlineData(1_500_000_000, "1.5GB")]
    [InlineData(123_456_789, "123.5MB")]
    public void HumanSize_is_decimal_with_four_significant_digits(long bytes, string text) =>
        Assert.Equal(text, Units.HumanSize(bytes));

    [Theory]
    [InlineData(1984000, "1.98MB")]
    [InlineData(4096, "4.1kB")]
    [InlineData(999_950, "1e+03kB")]
    public void HumanSize_with_precision_three_as_docker_ps_and_images(long bytes, string text) =>
        Assert.Equal(text, Units.HumanSize(bytes, 3));

    [Theory]
    [InlineData(67108864, "64MiB")]
    [InlineData(1536, "1.5KiB")]
    [InlineData(25276510208, "23.54GiB")]
    public void BytesSize_is_binary(long bytes, string text) =>
        Assert.Equal(text, Units.BytesSize(bytes));

    [Theory]
    [InlineData(0.5, "Less than a second")]
    [InlineData(1, "1 second")]
    [InlineData(45, "45 seconds")]
    [InlineData(70, "About a minute")]
    [InlineData(600, "10 minutes")]
    [InlineData(3600, "About an hour")]
    [InlineData(5 * 3600, "5 hours")]
    [InlineData(3 * 86400, "3 days")]
    [InlineData(20 * 86400, "2 weeks")]
    [InlineData(90 * 86400, "3 months")]
    [InlineData(800 * 86400, "2 years")]
    public void HumanDuration_matches_go_units(double seconds, string text) =>
        Assert.Equal(text, Units.HumanDuration(TimeSpan.FromSeconds(seconds)));

    [Fact]
    public void Tabwriter_aligns_columns_with_min_width_ten_and_padding_three()
    {
        var text = "CONTAINER ID\tIMAGE\tNAMES\nabc\tbusybox\tweb\n";
        Assert.Equal("CONTAINER ID   IMAGE     NAMES\nabc            busybox   web\n", TabWriter.Format(text));
    }

    [Fact]
    public void Tabwriter_keeps_the_last_cell_unpadded_and_lines_without_tabs_alone()
    {
        var text = "a\tb\nlonger line without tabs\nxx\tyy\n";
        Assert.Equal("a         b\nlonger line without tabs\nxx        yy\n", TabWriter.Format(text));
    }

    [Fact]
    public void Ports_are_grouped_into_ranges_and_host_mappings()
    {
        var ports = JsonNode.Parse("""
            [
              {"PrivatePort": 80, "Type": "tcp"},
              {"PrivatePort": 81, "Type": "tcp"},
              {"PrivatePort": 82, "Type": "tcp"},
              {"PrivatePort": 53, "Type": "udp"},
              {"IP": "0.0.0.0", "PrivatePort": 8080, "PublicPort": 32768, "Type": "tcp"},
              {"IP": "::", "PrivatePort": 8080, "PublicPort": 32768, "Type": "tcp"},
              {"IP": "127.0.0.1", "PrivatePort": 9000, "PublicPort": 9000, "Type": "tcp"}
            ]
            """);
        Assert.Equal("53/udp, 80-82/tcp, 127.0.0.1:9000->9000/tcp, 0.0.0.0:32768->8080/tcp, [::]:32768->8080/tcp", Ports.Display(ports));
    }

    [Theory]
    [InlineData("sleep 600", 20, "sleep 600")]
    [InlineData("sh -c 'sleep 1; echo done'", 20, "sh -c 'sleep 1; ech…")]
    public void Ellipsis_cuts_to_the_width_with_an_ellipsis(string input, int width, string expected) =>
        Assert.Equal(expected, Ids.Ellipsis(input, width));

    [Fact]
    public void Ps_table_matches_dockers_columns()
    {
        var now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_100);
        var c = JsonNode.Parse("""
            {"Id":"5509341328a1bfaf6384f8a563338fa021aa82e8e383ce5c51734d0163edae45","Names":["/web"],
             "Image":"busybox","ImageID":"sha256:d253ab698177","Command":"sh -c 'sleep 1; echo done'",
             "Created":1700000000,"Ports":[{"IP":"0.0.0.0","PrivatePort":80,"PublicPort":8080,"Type":"tcp"}],
             "Labels":{"b":"2","a":"1"},"State":"running","Status":"Up About a minute",
             "NetworkSettings":{"Networks":{"bridge":{}}},"Mounts":[]}
            """)!;
        var row = ContainerList.NewContext(c, trunc: true, now);
        var output = FormatRenderer.Render(ContainerList.DefaultTable, [row], ContainerList.Headers);
        Assert.Equal(
            "CONTAINER ID   IMAGE     COMMAND                  CREATED              STATUS              PORTS                  NAMES\n" +
            "5509341328a1   busybox   \"sh -c 'sleep 1; ech…\"   About a minute ago   Up About a minute   0.0.0.0:8080->80/tcp   web\n",
            output);
        Assert.Equal("a=1,b=2|2|bridge|running", FormatRenderer.Render("{{.Labels}}|{{.Label \"b\"}}|{{.Networks}}|{{.State}}", [row], ContainerList.Headers).TrimEnd());
    }

    [Fact]
    public void Table_prefix_with_a_custom_template_gets_headers_from_field_names()
    {
        var row = new RowContext("x").Add("ID", () => "abc").Add("Names", () => "web");
        Assert.Equal("CONTAINER ID   NAMES\nabc            web\n", FormatRenderer.Render("table {{.ID}}\\t{{.Names}}", [row], ContainerList.Headers));
        Assert.Equal("CONTAINER ID   NAMES\n", FormatRenderer.Render("table {{.ID}}\\t{{.Names}}", [], ContainerList.Headers));
        Assert.Equal("{\"ID\":\"abc\",\"Names\":\"web\"}\n", FormatRenderer.Render("json", [row], ContainerList.Headers));
    }

    [Fact]
    public void Inspect_output_is_indented_with_four_spaces_like_go()
    {
        var json = JsonNode.Parse("""{"Id":"x","Args":[],"Config":{"Env":["A=1"],"Labels":{}},"N":null,"H":"<b>"}""");
        Assert.Equal(
            "[\n    {\n        \"Id\": \"x\",\n        \"Args\": [],\n        \"Config\": {\n            \"Env\": [\n                \"A=1\"\n            ],\n            \"Labels\": {}\n        },\n        \"N\": null,\n        \"H\": \"\\u003cb\\u003e\"\n    }\n]",
            Common.IndentJsonArray([json]));
        Assert.Equal("[]", Common.IndentJsonArray([]));
    }

    [Theory]
    [InlineData("busybox", "docker.io/library/busybox", "busybox")]
    [InlineData("busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36")]
    [InlineData("127.0.0.1:5000/acct/img:v1", "127.0.0.1:5000/acct/img:v1", "127.0.0.1:5000/acct/img:v1")]
    [InlineData("user/repo", "docker.io/user/repo", "user/repo")]
    public void References_normalize_like_docker(string input, string full, string familiar)
    {
        var r = ImageReference.TryParse(input, out _)!;
        Assert.Equal(full, r.ToString());
        Assert.Equal(familiar, r.FamiliarString);
    }

    [Theory]
    [InlineData("Upper:v1")]
    [InlineData("bad//name")]
    [InlineData("name:bad tag")]
    public void Invalid_references_are_refused(string input) =>
        Assert.Null(ImageReference.TryParse(input, out _));
}
