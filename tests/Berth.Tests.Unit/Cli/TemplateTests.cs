using System.Text.Json.Nodes;
using Berth.Cli.Formatting;
using Berth.Cli.Templates;

namespace Berth.Tests.Unit.Cli;

public sealed class TemplateTests
{
    private const string ContainerJson = """
        {
          "Id": "abc123",
          "Name": "/web",
          "State": { "Status": "running", "Running": true, "Pid": 42, "ExitCode": 0 },
          "Config": {
            "Hostname": "abc",
            "Env": ["FOO=bar", "PATH=/bin"],
            "Cmd": ["sleep", "600"],
            "Entrypoint": null,
            "ExposedPorts": { "80/tcp": {} },
            "Labels": { "tier": "web", "com.example.a": "1" },
            "Volumes": null
          },
          "HostConfig": { "RestartPolicy": { "Name": "on-failure", "MaximumRetryCount": 3 }, "LogConfig": { "Type": "json-file", "Config": { "max-size": "1m" } }, "Tmpfs": null },
          "Mounts": [ { "Type": "volume", "Name": "data", "Destination": "/data" } ],
          "NetworkSettings": { "Networks": { "bridge": { "IPAddress": "172.17.0.2" } } }
        }
        """;

    private static string Run(string template, string json = ContainerJson) =>
        GoTemplate.Parse(template).Execute(JsonModel.FromJson(JsonNode.Parse(json)));

    [Theory]
    [InlineData("{{.Name}}", "/web")]
    [InlineData("{{.State.Status}} {{.State.Running}} {{.State.Pid}}", "running true 42")]
    [InlineData("{{.Config.Env}}", "[FOO=bar PATH=/bin]")]
    [InlineData("{{.Config.ExposedPorts}}", "map[80/tcp:{}]")]
    [InlineData("{{.Config.Labels}}", "map[com.example.a:1 tier:web]")]
    [InlineData("{{.Config.Labels.tier}}", "web")]
    [InlineData("{{.Config.Labels.nosuch}}", "<no value>")]
    [InlineData("{{.NetworkSettings.Networks.bridge.IPAddress}}", "172.17.0.2")]
    [InlineData("{{.NetworkSettings.Networks.none}}", "<no value>")]
    [InlineData("{{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}", "on-failure:3")]
    [InlineData("{{.HostConfig.Tmpfs}}", "map[]")]
    [InlineData("{{.Config.Entrypoint}}", "[]")]
    [InlineData("{{.State.Health}}", "<nil>")]
    [InlineData("{{index .HostConfig.LogConfig.Config \"max-size\"}}", "1m")]
    [InlineData("{{index .Config.Labels \"com.example.a\"}}", "1")]
    [InlineData("{{index .Config.Cmd 1}}", "600")]
    public void Field_access_prints_like_docker(string template, string expected) =>
        Assert.Equal(expected, Run(template));

    [Theory]
    [InlineData("{{json .Config.Cmd}}", "[\"sleep\",\"600\"]")]
    [InlineData("{{json .Config.Entrypoint}}", "null")]
    [InlineData("{{json .Config.Labels}}", "{\"com.example.a\":\"1\",\"tier\":\"web\"}")]
    [InlineData("{{json .State}}", "{\"Status\":\"running\",\"Running\":true,\"Pid\":42,\"ExitCode\":0}")]
    [InlineData("{{json \"a<b\"}}", "\"a<b\"")]
    public void Json_function_encodes_like_encoding_json(string template, string expected) =>
        Assert.Equal(expected, Run(template));

    [Theory]
    [InlineData("{{range .Mounts}}{{.Type}} {{.Name}} {{.Destination}}{{end}}", "volume data /data")]
    [InlineData("{{range $k, $v := .Config.Labels}}{{$k}}={{$v}};{{end}}", "com.example.a=1;tier=web;")]
    [InlineData("{{range $i, $e := .Config.Env}}{{$i}}:{{$e}} {{end}}", "0:FOO=bar 1:PATH=/bin ")]
    [InlineData("{{range .Config.Volumes}}x{{else}}none{{end}}", "none")]
    [InlineData("{{range .Config.Env}}{{if eq . \"PATH=/bin\"}}{{break}}{{end}}{{.}} {{end}}", "FOO=bar ")]
    public void Range_iterates_lists_and_sorted_maps(string template, string expected) =>
        Assert.Equal(expected, Run(template));

    [Theory]
    [InlineData("{{if .State.Running}}up{{else}}down{{end}}", "up")]
    [InlineData("{{if not .State.Running}}up{{else if .State.Pid}}pid{{end}}", "pid")]
    [InlineData("{{if and .State.Running (eq .State.Pid 42)}}yes{{end}}", "yes")]
    [InlineData("{{if or (eq .State.Status \"exited\") (ne .State.ExitCode 0)}}bad{{else}}good{{end}}", "good")]
    [InlineData("{{if gt .State.Pid 10}}big{{end}}{{if lt .State.Pid 10}}small{{end}}", "big")]
    [InlineData("{{with .Config.Labels.tier}}tier={{.}}{{end}}", "tier=web")]
    [InlineData("{{$n := .Name}}{{$n}}{{$n = \"x\"}} {{$n}}", "/web x")]
    public void Control_structures_and_comparisons(string template, string expected) =>
        Assert.Equal(expected, Run(template));

    [Theory]
    [InlineData("{{join .Config.Cmd \" \"}}", "sleep 600")]
    [InlineData("{{.Name | upper}}", "/WEB")]
    [InlineData("{{upper .Name | lower}}", "/web")]
    [InlineData("{{title \"hello world\"}}", "Hello World")]
    [InlineData("{{split \"a:b:c\" \":\"}}", "[a b c]")]
    [InlineData("{{len .Config.Env}} {{len .Name}}", "2 4")]
    [InlineData("{{println .Name}}", "/web\n")]
    [InlineData("{{printf \"%s-%d-%5s|%-4s|%v|%q\" .Name .State.Pid \"ab\" \"x\" .Config.Cmd \"q\"}}", "/web-42-   ab|x   |[sleep 600]|\"q\"")]
    [InlineData("{{printf \"%.2f%%\" 3.14159}}", "3.14%")]
    [InlineData("{{pad \"x\" 1 2}}|{{truncate \"abcdef\" 3}}", " x  |abc")]
    [InlineData("{{print 1 2 \"a\" \"b\"}}", "1 2ab")]
    public void Functions_docker_users_rely_on(string template, string expected) =>
        Assert.Equal(expected, Run(template));

    [Fact]
    public void Trim_markers_and_comments()
    {
        Assert.Equal("a|b", Run("a  {{- /* comment */ -}}  |  {{- \"b\" -}}  "));
    }

    [Fact]
    public void A_container_struct_prints_every_go_field_in_order_and_json_only_the_sent_ones()
    {
        Assert.Equal("{running true false false false false 42 0    <nil>}", Run("{{.State}}"));
        Assert.Equal("{\"Status\":\"running\",\"Running\":true,\"Pid\":42,\"ExitCode\":0}", Run("{{json .State}}"));
        Assert.StartsWith("{abc   false false false map[80/tcp:{}] false false false [FOO=bar PATH=/bin] [sleep 600] <nil> false", Run("{{.Config}}"), StringComparison.Ordinal);
    }

    [Fact]
    public void Typed_failures_fall_back_to_the_raw_json_with_missing_keys_as_errors()
    {
        var template = GoTemplate.Parse("{{.State.Health.Status}}");
        var json = JsonNode.Parse(ContainerJson);
        Assert.Throws<TemplateException>(() => template.Execute(JsonModel.FromJson(json)));
        var e = Assert.Throws<TemplateException>(() => template.Execute(JsonModel.FromRawJson(json)));
        Assert.Equal("template: :1:8: executing \"\" at <.State.Health.Status>: map has no entry for key \"Health\"", e.Message);
        Assert.Equal("running", GoTemplate.Parse("{{.State.Status}}").Execute(JsonModel.FromRawJson(json)));
    }

    [Theory]
    [InlineData("{{.Name", "template: :1: unclosed action")]
    [InlineData("{{nosuch .Name}}", "template: :1: function \"nosuch\" not defined")]
    [InlineData("{{if .Name}}x", "template: :1: unexpected EOF")]
    [InlineData("{{eq .State \"\\unning\"}}", "template: :1: invalid syntax")]
    [InlineData("{{printf \"%c\" ''}}", "template: :1: invalid syntax")]
    [InlineData("{{printf \"%c\" 'ab'}}", "template: :1: malformed character constant: 'ab'")]
    public void Parse_errors_use_gos_wording(string template, string message)
    {
        var e = Assert.Throws<TemplateException>(() => GoTemplate.Parse(template));
        Assert.Equal(message, e.Message);
    }

    [Fact]
    public void Field_providers_serve_methods_with_arguments()
    {
        var row = new RowContext("*formatter.ContainerContext")
            .Add("Names", () => "web")
            .AddMethod("Label", a => a[0] as string == "tier" ? "front" : string.Empty);
        Assert.Equal("web front", GoTemplate.Parse("{{.Names}} {{.Label \"tier\"}}").Execute(row));
        Assert.Equal("{\"Names\":\"web\"}", GoTemplate.Parse("{{json .}}").Execute(row));
        var e = Assert.Throws<TemplateException>(() => GoTemplate.Parse("{{.Nope}}").Execute(row));
        Assert.Equal("template: :1:2: executing \"\" at <.Nope>: can't evaluate field Nope in type *formatter.ContainerContext", e.Message);
    }
}
