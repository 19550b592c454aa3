using System.Net;
using System.Text.Json;
using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.SystemApi;

public sealed class SystemDaemon() : DaemonFixture("sys", loadBusybox: false);

/// <summary>The daemon's system endpoints through a real socket and the real docker CLI.</summary>
public sealed class SystemApiTests(SystemDaemon fixture) : IClassFixture<SystemDaemon>
{
    private readonly BerthDaemon _d = fixture.Daemon;

    [Fact]
    public async Task Ping_answers_OK_with_api_version_header_on_get_and_head()
    {
        using var get = await _d.Http.GetAsync("/_ping");
        Assert.Equal("OK", await get.Content.ReadAsStringAsync());
        Assert.Equal("1.50", get.Headers.GetValues("Api-Version").Single());
        using var head = await _d.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/v1.24/_ping"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
    }

    [Fact]
    public async Task Version_prefixes_outside_the_supported_range_are_refused_with_docker_messages()
    {
        using var tooNew = await _d.Http.GetAsync("/v1.99/version");
        Assert.Equal(HttpStatusCode.BadRequest, tooNew.StatusCode);
        Assert.Contains("client version 1.99 is too new. Maximum supported API version is 1.50", await tooNew.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var tooOld = await _d.Http.GetAsync("/v1.12/version");
        Assert.Contains("is too old. Minimum supported API version is 1.24", await tooOld.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_paths_are_404_with_a_json_message()
    {
        using var r = await _d.Http.GetAsync("/v1.50/nosuchthing");
        Assert.Equal(HttpStatusCode.NotFound, r.StatusCode);
        using var doc = JsonDocument.Parse(await r.Content.ReadAsStringAsync());
        Assert.Equal("page not found", doc.RootElement.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Docker_cli_version_reports_the_server_api_version()
    {
        var r = await _d.DockerAsync("version", "--format", "{{.Server.APIVersion}} {{.Server.MinAPIVersion}}");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Equal("1.50 1.24", r.Out);
    }

    [Fact]
    public async Task Malformed_filters_on_events_are_a_400()
    {
        using var r = await _d.Http.GetAsync("/v1.50/events?filters=%7Bnot-json");
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
    }
}
