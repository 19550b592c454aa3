using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.SystemApi;

/// <summary>daemon.json handling, as dockerd does it: bad files stop the daemon with a clear message.</summary>
public sealed class DaemonConfigTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("berth-cfg").FullName;

    [Fact]
    public async Task Unknown_keys_are_refused_by_name()
    {
        var cfg = Write("""{"data-root": "/tmp/x", "frobnicate": true}""");
        var r = await Shell.RunAsync(RepoPaths.Daemon, ["--config-file", cfg, "-H", $"unix://{_dir}/s.sock", "--exec-root", _dir]);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("the following directives don't match any configuration option: frobnicate", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_key_given_as_flag_and_in_the_file_is_a_conflict()
    {
        var cfg = Write("""{"data-root": "/tmp/x"}""");
        var r = await Shell.RunAsync(RepoPaths.Daemon, ["--config-file", cfg, "--data-root", _dir, "-H", $"unix://{_dir}/s.sock", "--exec-root", _dir]);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("specified both as a flag and in the configuration file: data-root", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_userland_proxy_is_refused_by_name()
    {
        var cfg = Write("""{"userland-proxy": true}""");
        var r = await Shell.RunAsync(RepoPaths.Daemon, ["--config-file", cfg, "-H", $"unix://{_dir}/s.sock", "--exec-root", _dir, "--data-root", _dir]);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("userland-proxy=true is not supported", r.Stderr, StringComparison.Ordinal);
        var flag = await Shell.RunAsync(RepoPaths.Daemon, ["--userland-proxy=true", "-H", $"unix://{_dir}/s.sock", "--exec-root", _dir, "--data-root", _dir]);
        Assert.Contains("userland-proxy=true is not supported", flag.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Malformed_json_and_a_missing_explicit_file_are_errors()
    {
        var bad = Write("{ not json");
        var r1 = await Shell.RunAsync(RepoPaths.Daemon, ["--config-file", bad, "-H", $"unix://{_dir}/s.sock", "--exec-root", _dir]);
        Assert.NotEqual(0, r1.ExitCode);
        Assert.Contains("unable to configure the Docker daemon with file", r1.Stderr, StringComparison.Ordinal);
        var r2 = await Shell.RunAsync(RepoPaths.Daemon, ["--config-file", Path.Combine(_dir, "absent.json"), "-H", $"unix://{_dir}/s.sock", "--exec-root", _dir]);
        Assert.NotEqual(0, r2.ExitCode);
        Assert.Contains("no such file or directory", r2.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Default_ulimits_in_the_file_apply_to_containers_and_bad_ones_are_refused()
    {
        var bad = Write("""{"default-ulimits": {"nofile": {"Name": "nofile", "Hard": 10, "Soft": 20}}}""");
        var r = await Shell.RunAsync(RepoPaths.Daemon, ["--config-file", bad, "-H", $"unix://{_dir}/s.sock", "--exec-root", _dir]);
        Assert.NotEqual(0, r.ExitCode);
        Assert.Contains("ulimit soft limit must be less than or equal to hard limit: 20 > 10", r.Stderr, StringComparison.Ordinal);

        var flag = await Shell.RunAsync(RepoPaths.Daemon, ["--default-ulimit", "nofile", "-H", $"unix://{_dir}/s.sock", "--exec-root", _dir]);
        Assert.NotEqual(0, flag.ExitCode);
        Assert.Contains("invalid argument \"nofile\" for \"--default-ulimit\" flag: invalid ulimit argument: nofile", flag.Stderr, StringComparison.Ordinal);

        var good = Write("""{"default-ulimits": {"nofile": {"Name": "nofile", "Hard": 700, "Soft": 650}}}""");
        await using var d = await BerthDaemon.StartAsync("cfgul", "--config-file", good);
        await d.LoadBusyboxAsync();
        var run = await d.DockerAsync("run", "--rm", "--network", "none", "busybox", "sh", "-c", "ulimit -n; ulimit -Hn");
        Assert.Equal("650\n700\n", run.Stdout);
    }

    [Fact]
    public async Task Settings_from_the_file_are_used()
    {
        var sock = Path.Combine(_dir, "cfg.sock");
        var data = Path.Combine(_dir, "data");
        // This daemon runs in the test runner's own network namespace: networking must leave it untouched.
        var cfg = Write($$"""{"hosts": ["unix://{{sock}}"], "data-root": "{{data}}", "exec-root": "{{_dir}}/exec", "pidfile": "{{_dir}}/p.pid", "bridge": "none", "iptables": false, "ip-forward": false, "userland-proxy": false}""");
        using var p = System.Diagnostics.Process.Start(RepoPaths.Daemon, ["--config-file", cfg]);
        try
        {
            using var http = BerthDaemon.CreateHttpClient(sock);
            string? body = null;
            for (var i = 0; i < 100 && body is null; i++)
            {
                try
                {
                    body = await http.GetStringAsync("/_ping");
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(50);
                }
            }

            Assert.Equal("OK", body);
            Assert.True(Directory.Exists(data));
            Assert.Equal(p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture), File.ReadAllText(Path.Combine(_dir, "p.pid")));
        }
        finally
        {
            p.Kill();
            await p.WaitForExitAsync();
        }
    }

    private string Write(string json)
    {
        var path = Path.Combine(_dir, $"daemon-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, json);
        return path;
    }

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}
