using System.Net;
using System.Text;
using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Containers;

/// <summary>A berthd with a daemon-wide default ulimit (as dockerd's --default-ulimit).</summary>
public sealed class UlimitDaemon : IAsyncLifetime
{
    public BerthDaemon Daemon { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Daemon = await BerthDaemon.StartAsync("ulimit", "--default-ulimit", "nproc=99", "--default-ulimit", "nofile=512:1024");
        await Daemon.LoadBusyboxAsync();
    }

    public async Task DisposeAsync() => await Daemon.DisposeAsync();
}

/// <summary>--ulimit through both CLIs: the limits the container's processes really get, and inspect.</summary>
public sealed class UlimitTests(UlimitDaemon fixture) : IClassFixture<UlimitDaemon>
{
    private readonly BerthDaemon _d = fixture.Daemon;

    public static TheoryData<string> Clis => new() { "docker", "berth" };

    private Task<CommandResult> CliAsync(string cli, params string[] args) => cli == "docker" ? _d.DockerAsync(args) : _d.BerthAsync(args);

    [Theory]
    [MemberData(nameof(Clis))]
    public async Task Ulimit_sets_the_container_processes_limits_and_inspect_echoes_them(string cli)
    {
        var run = await CliAsync(cli, "run", "--rm", "--network", "none", "--ulimit", "nofile=1024:2048", "--ulimit", "core=-1", "busybox", "sh", "-c", "ulimit -n; ulimit -Hn; ulimit -c; ulimit -u");
        Assert.True(run.ExitCode == 0, run.ToString());

        // nproc comes from the daemon's default; nofile's default is overridden by the container's own.
        Assert.Equal("1024\n2048\nunlimited\n99\n", run.Stdout);

        var id = (await CliAsync(cli, "create", "--ulimit", "nofile=100:200", "--ulimit", "nproc=50", "--ulimit", "nofile=300", "--network", "none", "busybox", "sleep", "600")).Out;
        try
        {
            var inspect = await CliAsync(cli, "inspect", "-f", "{{json .HostConfig.Ulimits}}", id);
            Assert.Equal("[{\"Name\":\"nofile\",\"Hard\":300,\"Soft\":300},{\"Name\":\"nproc\",\"Hard\":50,\"Soft\":50}]", inspect.Out);
            Assert.Equal(0, (await CliAsync(cli, "start", id)).ExitCode);
            var exec = await CliAsync(cli, "exec", id, "sh", "-c", "ulimit -n; ulimit -u");
            Assert.Equal("300\n50\n", exec.Stdout);
        }
        finally
        {
            await CliAsync(cli, "rm", "-f", id);
        }
    }

    [Theory]
    [MemberData(nameof(Clis))]
    public async Task Without_ulimit_the_daemon_defaults_apply_and_inspect_shows_none(string cli)
    {
        var run = await CliAsync(cli, "run", "--rm", "--network", "none", "busybox", "sh", "-c", "ulimit -n; ulimit -Hn; ulimit -u");
        Assert.Equal("512\n1024\n99\n", run.Stdout);
        var id = (await CliAsync(cli, "create", "busybox")).Out;
        Assert.Equal("[]", (await CliAsync(cli, "inspect", "-f", "{{json .HostConfig.Ulimits}}", id)).Out);
        await CliAsync(cli, "rm", id);
    }

    [Theory]
    [MemberData(nameof(Clis))]
    public async Task Bad_ulimit_values_are_refused_by_the_cli_with_dockers_message(string cli)
    {
        var r = await CliAsync(cli, "run", "--rm", "--ulimit", "nofile=10:5", "busybox", "true");
        Assert.Equal(125, r.ExitCode);
        Assert.StartsWith("invalid argument \"nofile=10:5\" for \"--ulimit\" flag: ulimit soft limit must be less than or equal to hard limit: 10 > 5\n", r.Stderr.Replace("berth: ", string.Empty, StringComparison.Ordinal), StringComparison.Ordinal);
        var unknown = await CliAsync(cli, "create", "--ulimit", "bogus=1", "busybox");
        Assert.Equal(125, unknown.ExitCode);
        Assert.Contains("for \"--ulimit\" flag: invalid ulimit type: bogus", unknown.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_api_refuses_bad_ulimits_with_a_400_and_update_still_refuses_them()
    {
        using var bad = await _d.Http.PostAsync("/v1.50/containers/create", Json("{\"Image\":\"busybox\",\"HostConfig\":{\"Ulimits\":[{\"Name\":\"bogus\",\"Soft\":1,\"Hard\":2}]}}"));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Contains("invalid ulimit type: bogus", await bad.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var inverted = await _d.Http.PostAsync("/v1.50/containers/create", Json("{\"Image\":\"busybox\",\"HostConfig\":{\"Ulimits\":[{\"Name\":\"nofile\",\"Soft\":10,\"Hard\":2}]}}"));
        Assert.Equal(HttpStatusCode.BadRequest, inverted.StatusCode);
        Assert.Contains("ulimit soft limit must be less than or equal to hard limit: 10 > 2", await inverted.Content.ReadAsStringAsync(), StringComparison.Ordinal);

        var id = (await _d.DockerAsync("create", "busybox")).Out;
        using var update = await _d.Http.PostAsync($"/v1.50/containers/{id}/update", Json("{\"Ulimits\":[{\"Name\":\"nofile\",\"Soft\":10,\"Hard\":20}]}"));
        Assert.NotEqual(HttpStatusCode.OK, update.StatusCode);
        Assert.Contains("updating ulimits is not supported yet", await update.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        await _d.DockerAsync("rm", id);
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
