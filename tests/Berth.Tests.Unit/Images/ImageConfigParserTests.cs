using System.Text;
using Berth.Core.Errors;
using Berth.Images;
using Berth.Images.Formats;

namespace Berth.Tests.Unit.Images;

public sealed class ImageConfigParserTests
{
    [Fact]
    public void Oci_config_is_read()
    {
        var json = """
        {"architecture":"arm64","variant":"v8","os":"linux","created":"2024-01-01T00:00:00.123456789Z","author":"me",
         "config":{"User":"1000","ExposedPorts":{"80/tcp":{}},"Env":["A=1"],"Entrypoint":["/init"],"Cmd":["run"],"Volumes":{"/data":{}},
                   "WorkingDir":"/w","Labels":{"l":"v"},"StopSignal":"SIGTERM","Healthcheck":{"Test":["CMD","true"],"Interval":1000000000,"Retries":2}},
         "rootfs":{"type":"layers","diff_ids":["sha256:aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"]},
         "history":[{"created":"2024-01-01T00:00:00Z","created_by":"ADD x","comment":"c"},{"created_by":"ENV A=1","empty_layer":true}]}
        """;
        var p = ImageConfigParser.Parse(Encoding.UTF8.GetBytes(json));
        Assert.Equal(("arm64", "v8", "linux", "me"), (p.Architecture, p.Variant, p.Os, p.Author));
        Assert.Equal(new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks(1234567), p.Created);
        Assert.Equal("1000", p.Config.User);
        Assert.Equal(["80/tcp"], p.Config.ExposedPorts);
        Assert.Equal(["/init"], p.Config.Entrypoint);
        Assert.Equal(["/data"], p.Config.Volumes);
        Assert.Equal(2, p.Config.Healthcheck!.Retries);
        Assert.Single(p.DiffIds);
        Assert.Equal(2, p.History.Count);
        Assert.True(p.History[1].EmptyLayer);
    }

    [Fact]
    public void Docker_v2_config_with_container_config_fields_is_read_case_insensitively()
    {
        var json = """
        {"architecture":"amd64","os":"linux","docker_version":"20.10.24","parent":"sha256:bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb",
         "config":{"Hostname":"h","Domainname":"","AttachStdout":true,"Tty":false,"env":["X=1"],"Cmd":null,"Image":"sha256:cc","OnBuild":null,"Labels":null},
         "container_config":{"Cmd":["/bin/sh","-c","#(nop) CMD"]},
         "rootfs":{"type":"layers","diff_ids":[]}}
        """;
        var p = ImageConfigParser.Parse(Encoding.UTF8.GetBytes(json));
        Assert.Equal("20.10.24", p.DockerVersion);
        Assert.StartsWith("sha256:bbb", p.Parent, StringComparison.Ordinal);
        Assert.Equal("h", p.Legacy.Hostname);
        Assert.True(p.Legacy.AttachStdout);
        Assert.Equal("sha256:cc", p.Legacy.Image);
        Assert.Equal(["X=1"], p.Config.Env);
        Assert.Null(p.Config.Cmd);
    }

    [Fact]
    public void Written_configs_parse_back_and_chain_ids_follow_the_oci_rule()
    {
        var parsed = ImageConfigParser.Parse(Encoding.UTF8.GetBytes("""{"architecture":"amd64","os":"linux","config":{"Cmd":["sh"]},"rootfs":{"type":"layers","diff_ids":[]}}"""));
        var bytes = ImageConfigWriter.Write(parsed with { Comment = "c", Created = DateTimeOffset.UnixEpoch });
        var again = ImageConfigParser.Parse(bytes);
        Assert.Equal(["sh"], again.Config.Cmd);
        Assert.Equal("c", again.Comment);

        var a = "sha256:" + new string('a', 64);
        var b = "sha256:" + new string('b', 64);
        var chains = ImageService.ChainIds([a, b]);
        Assert.Equal(a, chains[0]);
        Assert.Equal(Berth.Core.References.Digest.Compute(Encoding.ASCII.GetBytes(a + " " + b)).ToString(), chains[1]);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("[]")]
    [InlineData("""{"rootfs":{"type":"layers","diff_ids":["nope"]}}""")]
    public void Invalid_configs_are_refused(string json)
    {
        Assert.Throws<BerthException>(() => ImageConfigParser.Parse(Encoding.UTF8.GetBytes(json)));
    }
}
