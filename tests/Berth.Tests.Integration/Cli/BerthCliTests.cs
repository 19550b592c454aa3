using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Cli;

/// <summary>
/// The built berth CLI against a real engine (the harness's berthd, or $BERTH_TEST_DOCKER_HOST:
/// see <see cref="CliEngine"/>), checking what users see: output, exit codes and error wording,
/// as docker prints them.
/// </summary>
public sealed class BerthCliTests(CliEngine engine) : IClassFixture<CliEngine>, IAsyncLifetime
{
    private static readonly SemaphoreSlim ImageGate = new(1, 1);
    private readonly string _prefix = $"clit{Environment.ProcessId}x{Guid.NewGuid().ToString("N")[..6]}-";

    private string Host => engine.Host;

    public async Task InitializeAsync()
    {
        await ImageGate.WaitAsync();
        try
        {
            if ((await BerthAsync("image", "inspect", "busybox:latest")).ExitCode != 0)
            {
                var load = await BerthAsync("load", "-i", await BusyboxArchive.PathAsync());
                Assert.True(load.ExitCode == 0, load.ToString());
            }
        }
        finally
        {
            ImageGate.Release();
        }
    }

    public async Task DisposeAsync()
    {
        var ps = await BerthAsync("ps", "-a", "--format", "{{.Names}}");
        var mine = ps.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(n => n.StartsWith(_prefix, StringComparison.Ordinal)).ToList();
        if (mine.Count > 0)
        {
            await BerthAsync(["rm", "-f", .. mine]);
        }

        var images = await BerthAsync("images", "--format", "{{.Repository}}:{{.Tag}}");
        var tags = images.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).Where(n => n.StartsWith(_prefix, StringComparison.Ordinal)).ToList();
        if (tags.Count > 0)
        {
            await BerthAsync(["rmi", "-f", .. tags]);
        }
    }

    private Task<CommandResult> BerthAsync(params string[] args) => BerthWithInputAsync(null, args);

    private Task<CommandResult> BerthWithInputAsync(string? stdin, params string[] args) =>
        Shell.RunAsync(RepoPaths.Cli, args, new Dictionary<string, string> { ["DOCKER_HOST"] = Host, ["BERTH_HOST"] = Host }, stdin, TimeSpan.FromSeconds(90));

    [Fact]
    public async Task Unknown_flags_and_missing_arguments_fail_like_docker_without_an_engine()
    {
        var unknown = await Shell.RunAsync(RepoPaths.Cli, ["ps", "--foo"], new Dictionary<string, string> { ["DOCKER_HOST"] = "unix:///nonexistent.sock" });
        Assert.Equal(125, unknown.ExitCode);
        Assert.Equal("unknown flag: --foo\n\nUsage:  berth ps [OPTIONS]\n\nRun 'berth ps --help' for more information\n", unknown.Stderr);
        var missing = await Shell.RunAsync(RepoPaths.Cli, ["rm"], null);
        Assert.Equal(1, missing.ExitCode);
        Assert.StartsWith("berth: 'berth rm' requires at least 1 argument", missing.Stderr, StringComparison.Ordinal);
        var help = await Shell.RunAsync(RepoPaths.Cli, ["run", "--help"], null);
        Assert.Equal(0, help.ExitCode);
        Assert.StartsWith("Usage:  berth run [OPTIONS] IMAGE [COMMAND] [ARG...]", help.Stdout, StringComparison.Ordinal);
        var noEngine = await Shell.RunAsync(RepoPaths.Cli, ["ps"], new Dictionary<string, string> { ["DOCKER_HOST"] = "unix:///nonexistent.sock", ["BERTH_HOST"] = string.Empty });
        Assert.Equal(1, noEngine.ExitCode);
        Assert.Equal("Cannot connect to the Docker daemon at unix:///nonexistent.sock. Is the docker daemon running?\n", noEngine.Stderr);

        // A template about the engine says why the engine did not answer, not that .Server is nil (as docker does).
        var version = await Shell.RunAsync(RepoPaths.Cli, ["version", "--format", "{{.Server.APIVersion}}"], new Dictionary<string, string> { ["DOCKER_HOST"] = "unix:///nonexistent.sock", ["BERTH_HOST"] = string.Empty });
        Assert.Equal(1, version.ExitCode);
        Assert.Equal("\n", version.Stdout);
        Assert.Equal("Cannot connect to the Docker daemon at unix:///nonexistent.sock. Is the docker daemon running?\n", version.Stderr);
    }

    [Fact]
    public async Task Run_passes_output_stdin_and_exit_codes_through()
    {
        var echo = await BerthAsync("run", "--rm", "--network", "none", "busybox", "sh", "-c", "echo out; echo err >&2; exit 3");
        Assert.Equal(3, echo.ExitCode);
        Assert.Equal("out\n", echo.Stdout);
        Assert.Equal("err\n", echo.Stderr);
        var stdin = await BerthWithInputAsync("piped-input\n", "run", "-i", "--rm", "busybox", "cat");
        Assert.Equal("piped-input\n", stdin.Stdout);
        var missing = await BerthAsync("run", "--rm", "busybox", "nosuchcommand");
        Assert.Equal(127, missing.ExitCode);
        var noImage = await BerthAsync("run", "--pull", "never", _prefix + "nosuchimage");
        Assert.Equal(125, noImage.ExitCode);
        Assert.Contains("No such image", noImage.Stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_detached_container_shows_in_ps_inspect_logs_and_exec()
    {
        var name = _prefix + "bg";
        var run = await BerthAsync("run", "-d", "--name", name, "-e", "FOO=bar", "-l", "tier=web", "busybox", "sh", "-c", "echo started; sleep 600");
        Assert.Equal(0, run.ExitCode);
        Assert.Matches("^[0-9a-f]{64}\n$", run.Stdout);
        var id = run.Out;

        var ps = await BerthAsync("ps", "--filter", "name=" + name, "--format", "{{.ID}} {{.Names}} {{.Label \"tier\"}} {{.State}}");
        Assert.Equal($"{id[..12]} {name} web running", ps.Out);
        var table = await BerthAsync("ps", "--filter", "name=" + name);
        Assert.StartsWith("CONTAINER ID   IMAGE     COMMAND                  CREATED", table.Stdout, StringComparison.Ordinal);
        Assert.Contains("\"sh -c 'echo started…\"", table.Stdout, StringComparison.Ordinal);

        var inspect = await BerthAsync("inspect", "-f", "{{.Name}} {{.State.Running}} {{index .Config.Labels \"tier\"}} {{json .Config.Cmd}}", name);
        Assert.Equal($"/{name} true web [\"sh\",\"-c\",\"echo started; sleep 600\"]", inspect.Out);
        var env = await BerthAsync("inspect", "-f", "{{range .Config.Env}}{{if eq . \"FOO=bar\"}}found{{end}}{{end}}", name);
        Assert.Equal("found", env.Out);

        var logs = await BerthAsync("logs", name);
        Assert.Equal("started\n", logs.Stdout);
        var exec = await BerthAsync("exec", "-e", "X=1", "-w", "/tmp", name, "sh", "-c", "echo $X $(pwd); exit 5");
        Assert.Equal(5, exec.ExitCode);
        Assert.Equal("1 /tmp\n", exec.Stdout);
        var execIn = await BerthWithInputAsync("exec-stdin", "exec", "-i", name, "cat");
        Assert.Equal("exec-stdin", execIn.Stdout);

        Assert.Equal(0, (await BerthAsync("stop", "-t", "1", name)).ExitCode);
        Assert.Equal("exited 137", (await BerthAsync("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", name)).Out);
        var rm = await BerthAsync("rm", name);
        Assert.Equal(name + "\n", rm.Stdout);
    }

    [Fact]
    public async Task Attach_streams_output_and_returns_the_exit_code()
    {
        var name = _prefix + "attach";
        Assert.Equal(0, (await BerthAsync("run", "-d", "--name", name, "busybox", "sh", "-c", "sleep 2; echo attached-output; exit 4")).ExitCode);
        var attach = await BerthAsync("attach", name);
        Assert.Equal(4, attach.ExitCode);
        Assert.Contains("attached-output", attach.Stdout, StringComparison.Ordinal);
        var created = await BerthAsync("create", "--name", name + "2", "busybox", "echo", "created-output");
        Assert.Equal(0, created.ExitCode);
        var start = await BerthAsync("start", "-a", name + "2");
        Assert.Equal("created-output\n", start.Stdout);
        Assert.Equal("0\n", (await BerthAsync("wait", name + "2")).Stdout);
    }

    [Fact]
    public async Task Missing_objects_report_dockers_errors()
    {
        var inspect = await BerthAsync("inspect", _prefix + "nosuch");
        Assert.Equal(1, inspect.ExitCode);
        Assert.Equal("[]\n", inspect.Stdout);
        Assert.Equal($"Error: No such object: {_prefix}nosuch\n", inspect.Stderr);
        var rm = await BerthAsync("rm", _prefix + "nosuch");
        Assert.Equal(1, rm.ExitCode);
        Assert.StartsWith("Error response from daemon: ", rm.Stderr, StringComparison.Ordinal);
        Assert.Contains("No such container", rm.Stderr, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Images_can_be_listed_tagged_and_removed()
    {
        var id = (await BerthAsync("image", "inspect", "-f", "{{.Id}}", "busybox")).Out;
        Assert.StartsWith("sha256:", id, StringComparison.Ordinal);
        var tag = _prefix + "tagged:v1";
        Assert.Equal(0, (await BerthAsync("tag", "busybox", tag)).ExitCode);
        var ls = await BerthAsync("images", "--format", "{{.Repository}}:{{.Tag}} {{.ID}}", _prefix + "tagged");
        Assert.Equal($"{tag} {id["sha256:".Length..][..12]}", ls.Out);
        var table = await BerthAsync("image", "ls", _prefix + "tagged");
        Assert.StartsWith("REPOSITORY", table.Stdout, StringComparison.Ordinal);
        Assert.Matches("IMAGE ID +CREATED +SIZE", table.Stdout.Split('\n')[0]);
        var rmi = await BerthAsync("rmi", tag);
        Assert.Equal($"Untagged: {tag}\n", rmi.Stdout);
        Assert.Equal(1, (await BerthAsync("image", "inspect", tag)).ExitCode);
    }

    [Fact]
    public async Task Cp_copies_both_ways_through_the_archive_api()
    {
        var name = _prefix + "cp";
        Assert.Equal(0, (await BerthAsync("run", "-d", "--name", name, "busybox", "sleep", "600")).ExitCode);
        var dir = Directory.CreateTempSubdirectory("berth-cli-cp-").FullName;
        try
        {
            await File.WriteAllTextAsync(Path.Combine(dir, "in.txt"), "from-host");
            Assert.Equal(0, (await BerthAsync("cp", Path.Combine(dir, "in.txt"), name + ":/tmp/")).ExitCode);
            Assert.Equal("from-host", (await BerthAsync("exec", name, "cat", "/tmp/in.txt")).Stdout);
            Assert.Equal(0, (await BerthAsync("cp", name + ":/etc/passwd", Path.Combine(dir, "copied"))).ExitCode);
            Assert.Contains("root:x:0:0", await File.ReadAllTextAsync(Path.Combine(dir, "copied")), StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(dir, true);
        }
    }
}
