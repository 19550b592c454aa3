using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Edge;

public sealed class EdgeDaemon() : DaemonFixture("edge", loadBusybox: true);

/// <summary>
/// What berthd accepts as listeners at start: a plain TCP listener only with --tls=false given
/// explicitly, TLS settings from daemon.json, a socket path that is not a socket left alone.
/// Each case runs a second, short-lived berthd in the fixture daemon's network namespace with
/// roots of its own.
/// </summary>
public sealed class ListenerStartTests(EdgeDaemon fixture) : IClassFixture<EdgeDaemon>
{
    private readonly BerthDaemon _d = fixture.Daemon;

    private static int _counter;

    /// <summary>Runs berthd until it exits by itself (a refused start); the timeout only guards against a daemon that starts anyway.</summary>
    private async Task<CommandResult> RunRefusedAsync(string socketPath, params string[] args)
    {
        var name = $"{_d.Name}-start{Interlocked.Increment(ref _counter)}";
        string[] all =
        [
            $"--net=/run/netns/{_d.Netns}", "--", RepoPaths.Daemon,
            "-H", $"unix://{socketPath}",
            "--data-root", Path.Combine(_d.Dir, name), "--exec-root", $"/run/{name}", "--pidfile", $"/run/{name}.pid", "--cgroup-parent", $"/{name}",
            .. args,
        ];
        try
        {
            return await Shell.RunAsync("nsenter", all, timeout: TimeSpan.FromSeconds(60));
        }
        finally
        {
            if (Directory.Exists($"/run/{name}"))
            {
                Directory.Delete($"/run/{name}", recursive: true);
            }

            File.Delete($"/run/{name}.pid"); // a daemon that started anyway (old code) leaves one
        }
    }

    [Fact]
    public async Task A_plain_tcp_listener_is_refused_without_explicit_tls_false()
    {
        var r = await RunRefusedAsync($"/run/{_d.Name}-plain.sock", "-H", "tcp://127.0.0.1:2375");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("refusing to listen on tcp://127.0.0.1:2375", r.Stderr, StringComparison.Ordinal);
        Assert.Contains("--tls=false", r.Stderr, StringComparison.Ordinal);

        // --tls alone encrypts but lets anyone in: dockerd refuses that too.
        var tlsOnly = await RunRefusedAsync($"/run/{_d.Name}-plain.sock", "-H", "tcp://127.0.0.1:2375", "--tls");
        Assert.Equal(1, tlsOnly.ExitCode);
    }

    [Fact]
    public async Task Tls_false_given_explicitly_serves_plain_tcp_with_a_warning()
    {
        await using var plain = await BerthDaemon.StartAsync("plaintcp", "-H", "tcp://127.0.0.1:2375", "--tls=false");
        var r = await Shell.RunAsync("nsenter", [$"--net=/run/netns/{plain.Netns}", "--", RepoPaths.DockerCli, "version", "--format", "{{.Server.APIVersion}}"], new Dictionary<string, string> { ["DOCKER_HOST"] = "tcp://127.0.0.1:2375" });
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("Binding to IP address without --tlsverify is insecure", plain.Log, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Daemon_json_tls_keys_are_read_and_a_missing_certificate_is_a_clear_error()
    {
        var config = Path.Combine(_d.Dir, "tls-daemon.json");
        await File.WriteAllTextAsync(config, """{"tlsverify": true, "tlscacert": "/nonexistent/ca.pem", "tlscert": "/nonexistent/cert.pem", "tlskey": "/nonexistent/key.pem"}""");
        var r = await RunRefusedAsync($"/run/{_d.Name}-json.sock", "--config-file", config, "-H", "tcp://127.0.0.1:2376");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("could not load X509 key pair (/nonexistent/cert.pem, /nonexistent/key.pem)", r.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_file_at_the_socket_path_is_not_removed()
    {
        var path = $"/run/{_d.Name}-notasocket";
        await File.WriteAllTextAsync(path, "precious");
        try
        {
            var r = await RunRefusedAsync(path);
            Assert.Equal(1, r.ExitCode);
            Assert.Contains("the path exists and is not a socket", r.Stderr, StringComparison.Ordinal);
            Assert.Equal("precious", await File.ReadAllTextAsync(path));
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public async Task A_live_daemon_socket_is_not_taken_over()
    {
        var r = await RunRefusedAsync(_d.SocketPath);
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("another daemon is listening on it", r.Stderr, StringComparison.Ordinal);
        using var ping = await _d.Http.GetAsync("/_ping");
        Assert.True(ping.IsSuccessStatusCode);
    }

    [Fact]
    public async Task A_group_given_that_does_not_exist_stops_the_start()
    {
        var r = await RunRefusedAsync($"/run/{_d.Name}-group.sock", "-G", "no-such-group-berth");
        Assert.Equal(1, r.ExitCode);
        Assert.Contains("group no-such-group-berth not found", r.Stderr, StringComparison.Ordinal);
    }
}
