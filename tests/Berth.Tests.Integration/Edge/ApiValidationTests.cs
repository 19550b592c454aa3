using System.Net;
using System.Text;
using System.Text.Json;
using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Edge;

public sealed class ValidationDaemon() : DaemonFixture("val", loadBusybox: false);

/// <summary>
/// Names, IDs and filters are refused at the API with Docker's status and words, and routes of
/// features Berth has not built answer in the shape of Docker's state when the feature is off
/// (compared with dockerd 20.10): clients branch on these codes.
/// </summary>
public sealed class ApiValidationTests(ValidationDaemon fixture) : IClassFixture<ValidationDaemon>
{
    private const string NotManager = "This node is not a swarm manager. Use \"docker swarm init\" or \"docker swarm join\" to connect this node to swarm and try again.";

    private readonly BerthDaemon _d = fixture.Daemon;

    private static string Filters(string json) => Uri.EscapeDataString(json);

    public static TheoryData<string, string, string?, int, string> Cases() => new()
    {
        // Swarm mode off: dockerd's inactive node.
        { "GET", "/swarm", null, 503, NotManager },
        { "POST", "/swarm/leave", null, 503, "This node is not part of a swarm" },
        { "GET", "/swarm/unlockkey", null, 503, NotManager },
        { "POST", "/swarm/update?version=1", "{}", 503, NotManager },
        { "POST", "/swarm/init", "{}", 501, "swarm mode is not supported" },
        { "GET", "/services", null, 503, NotManager },
        { "POST", "/services/create", "{}", 503, NotManager },
        { "GET", "/nodes", null, 503, NotManager },
        { "GET", "/nodes/x", null, 503, NotManager },
        { "GET", "/tasks", null, 503, NotManager },
        { "GET", "/secrets", null, 503, NotManager },
        { "GET", "/configs", null, 503, NotManager },

        // No plugins, no registry client, no builder.
        { "GET", "/plugins", null, 200, "[]" },
        { "GET", "/plugins/privileges?remote=x", null, 200, "[]" },
        { "GET", "/plugins/x/json", null, 404, "plugin \"x\" not found" },
        { "GET", $"/plugins?filters={Filters("""{"bogus":["x"]}""")}", null, 400, "invalid filter 'bogus'" },
        { "GET", "/distribution/busybox/json", null, 501, "registry access is not supported" },
        { "GET", "/distribution/UPPER/json", null, 400, "invalid reference format" },
        { "POST", "/build", null, 501, "building images is not supported by Berth yet" },
        { "POST", "/build/prune", null, 200, "\"CachesDeleted\"" },

        // Names.
        { "POST", "/volumes/create", $$"""{"Name":"{{new string('a', 300)}}"}""", 400, "volume name is too long" },
        { "POST", "/volumes/create", """{"Name":"a"}""", 400, "volume name is too short, names should be at least two alphanumeric characters" },
        { "POST", "/volumes/create", """{"Name":"a/b"}""", 400, "includes invalid characters for a local volume name" },
        { "POST", "/containers/create?name=a%2Fb", """{"Image":"busybox"}""", 400, "Invalid container name" },
        { "POST", "/networks/create", """{"Name":"evil1","Options":{"com.docker.network.bridge.name":"x\";flush"}}""", 400, "invalid bridge name" },
        { "POST", "/networks/create", """{"Name":"evil2","Options":{"com.docker.network.bridge.name":"x\"; flush ruleset;"}}""", 400, "invalid bridge name" },
        { "POST", "/networks/create", """{"Name":"evil3","Options":{"com.docker.network.bridge.name":"sixteen-chars-xx"}}""", 400, "invalid bridge name" },
        { "POST", "/networks/create", """{"Name":"evil4","Driver":"macvlan","Options":{"parent":"eth0\" x"}}""", 400, "invalid parent interface" },
        { "POST", "/networks/create", """{"Name":"evil5","Options":{"com.docker.network.container_iface_prefix":"e\"}"}}""", 400, "invalid container interface prefix" },

        // Filters that are neither {"name":{"value":true}} nor {"name":["value"]}.
        { "GET", $"/containers/json?filters={Filters("""{"label":"a"}""")}", null, 400, "invalid filter 'label'" },
        { "GET", $"/containers/json?filters={Filters("[1]")}", null, 400, "invalid filter" },
        { "GET", $"/volumes?filters={Filters("""{"label":"a"}""")}", null, 400, "invalid filter 'label'" },
        { "GET", $"/networks?filters={Filters("""{"label":[1]}""")}", null, 400, "invalid filter 'label'" },
        { "GET", $"/images/json?filters={Filters("""{"label":{"a":"yes"}}""")}", null, 400, "invalid filter 'label'" },
        { "GET", $"/events?filters={Filters("""{"label":"a"}""")}", null, 400, "invalid filter 'label'" },
        { "POST", $"/containers/prune?filters={Filters("""{"until":5}""")}", null, 400, "invalid filter 'until'" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Answers_with_dockers_status_and_message(string method, string path, string? body, int status, string message)
    {
        await ApiAnswer.AssertAsync(_d.Http, method, "/v1.50" + path, body, status, message);
    }

    [Fact]
    public async Task Build_says_501_where_error_responses_and_build_streams_carry_errors()
    {
        using var r = await _d.Http.PostAsync("/v1.50/build", new ByteArrayContent(new byte[10240]));
        Assert.Equal(HttpStatusCode.NotImplemented, r.StatusCode);
        using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        Assert.Equal(501, doc.RootElement.GetProperty("errorDetail").GetProperty("code").GetInt32());
        Assert.Equal(doc.RootElement.GetProperty("message").GetString(), doc.RootElement.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_hostile_bridge_name_leaves_no_network_and_the_ruleset_intact()
    {
        var before = await Shell.CheckAsync("nsenter", $"--net=/run/netns/{_d.Netns}", "--", "nft", "list", "ruleset");
        var r = await _d.DockerAsync("network", "create", "-o", "com.docker.network.bridge.name=x\";flush", "evil");
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("invalid bridge name", r.Stderr, StringComparison.Ordinal);
        using var inspect = await _d.Http.GetAsync("/v1.50/networks/evil");
        Assert.Equal(HttpStatusCode.NotFound, inspect.StatusCode);
        var after = await Shell.CheckAsync("nsenter", $"--net=/run/netns/{_d.Netns}", "--", "nft", "list", "ruleset");
        Assert.Equal(before.Out, after.Out);
    }

    [Fact]
    public async Task Docker_cli_reports_the_inactive_swarm_in_dockers_words()
    {
        var leave = await _d.DockerAsync("swarm", "leave");
        Assert.NotEqual(0, leave.ExitCode);
        Assert.Contains("This node is not part of a swarm", leave.Stderr, StringComparison.Ordinal);
        var nodes = await _d.DockerAsync("node", "ls");
        Assert.NotEqual(0, nodes.ExitCode);
        Assert.Contains("This node is not a swarm manager", nodes.Stderr, StringComparison.Ordinal);
        Assert.Equal(string.Empty, await _d.DockerOkAsync("plugin", "ls", "-q"));
    }
}
