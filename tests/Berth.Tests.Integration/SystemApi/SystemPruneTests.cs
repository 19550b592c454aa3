using System.Net;
using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.SystemApi;

public sealed class PruneDaemon() : DaemonFixture("prune", loadBusybox: false);

/// <summary>
/// `system prune` through the real docker CLI and berth: it ends with POST /build/prune, which
/// Berth answers (no builder, so no cache) with dockerd's validation of the query.
/// </summary>
public sealed class SystemPruneTests(PruneDaemon fixture) : IClassFixture<PruneDaemon>
{
    private readonly BerthDaemon _d = fixture.Daemon;

    [Fact]
    public async Task Build_prune_answers_an_empty_report()
    {
        using var r = await _d.Http.PostAsync("/v1.50/build/prune?all=1&keep-storage=1000&reserved-space=10&filters=%7B%22until%22%3A%5B%2224h%22%5D%2C%22label%22%3A%5B%22a%22%2C%22b%22%5D%7D", null);
        Assert.Equal(HttpStatusCode.OK, r.StatusCode);
        Assert.Equal("{\"CachesDeleted\":[],\"SpaceReclaimed\":0}\n", await r.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("filters=%7B%22dangling%22%3A%5B%22true%22%5D%7D", "invalid filter 'dangling'")]
    [InlineData("filters=%7B%22mutable%22%3A%5B%22true%22%5D%7D", "invalid filter 'mutable'")]
    [InlineData("filters=%7B%22until%22%3A%5B%221h%22%5D%2C%22unused-for%22%3A%5B%222h%22%5D%7D", "conflicting filters: \\\"until\\\" and \\\"unused-for\\\"")]
    [InlineData("filters=%7B%22until%22%3A%5B%221h%22%2C%222h%22%5D%7D", "filters expect only one value")]
    [InlineData("filters=%7B%22type%22%3A%5B%22regular%22%2C%22internal%22%5D%7D", "filters expect only one value")]
    [InlineData("filters=%7B%22until%22%3A%5B%22soon%22%5D%7D", "\\\"until\\\" filter expects a duration (e.g., '24h') or a timestamp")]
    [InlineData("keep-storage=lots", "keep-storage is in bytes and expects an integer, got lots")]
    [InlineData("max-used-space=1GB", "max-used-space is in bytes and expects an integer, got 1GB")]
    public async Task Build_prune_refuses_what_dockerd_refuses(string query, string message)
    {
        using var r = await _d.Http.PostAsync("/v1.50/build/prune?" + query, null);
        Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
        Assert.Contains(message, await r.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task System_prune_prints_the_same_report_with_docker_and_berth()
    {
        var reports = new List<string>();
        foreach (var cli in new[] { RepoPaths.DockerCli, RepoPaths.Cli })
        {
            await _d.LoadBusyboxAsync();
            var id = (await RunAsync(cli, "create", "-v", "/data", "busybox", "true")).Out;
            var volume = (await RunAsync(cli, "volume", "ls", "-q")).Out;
            Assert.Single(volume.Split('\n'));

            var plain = await RunAsync(cli, "system", "prune", "-f");
            Assert.Equal($"Deleted Containers:\n{id}\n\nTotal reclaimed space: 0B\n", plain.Stdout);

            var labelled = await RunAsync(cli, "system", "prune", "--filter", "label=x", "-f");
            Assert.Equal("Total reclaimed space: 0B\n", labelled.Stdout);

            var all = await RunAsync(cli, "system", "prune", "-a", "-f", "--volumes");
            Assert.StartsWith($"Deleted Volumes:\n{volume}\n\nDeleted Images:\nuntagged: busybox:latest\ndeleted: sha256:", all.Stdout, StringComparison.Ordinal);
            Assert.Matches(@"\nTotal reclaimed space: [0-9.]+MB\n$", all.Stdout);
            Assert.Equal(string.Empty, (await RunAsync(cli, "images", "-q")).Out);
            Assert.Equal(string.Empty, (await RunAsync(cli, "volume", "ls", "-q")).Out);
            reports.Add(all.Stdout.Replace(volume, "VOLUME", StringComparison.Ordinal));

            var refused = await Shell.RunAsync(cli, ["system", "prune", "-f", "--volumes", "--filter", "until=1h"], Env);
            Assert.Equal(1, refused.ExitCode);
            Assert.Equal("ERROR: The \"until\" filter is not supported with \"--volumes\"\n", refused.Stderr);
        }

        Assert.Equal(reports[0], reports[1]);
    }

    private Dictionary<string, string> Env => new() { ["DOCKER_HOST"] = _d.DockerHost, ["BERTH_HOST"] = _d.DockerHost };

    private async Task<CommandResult> RunAsync(string cli, params string[] args)
    {
        var r = await Shell.RunAsync(cli, args, Env);
        Assert.True(r.ExitCode == 0, $"{cli} {string.Join(' ', args)}: {r}");
        return r;
    }
}
