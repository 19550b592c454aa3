using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Edge;

/// <summary>A berthd with a unix socket and a mutual-TLS listener on 127.0.0.1:2376 in its namespace.</summary>
public sealed class TlsDaemon : IAsyncLifetime
{
    public TestCertificates Ca { get; } = new("berth-test-ca");

    public string Dir { get; } = Path.Combine("/tmp", $"bit-tls-certs-{Environment.ProcessId}");

    public BerthDaemon Daemon { get; private set; } = null!;

    /// <summary>DOCKER_CERT_PATH with a client certificate the daemon's CA signed.</summary>
    public string ClientDir => Path.Combine(Dir, "client");

    public async Task InitializeAsync()
    {
        Ca.WriteServerFiles(Path.Combine(Dir, "server"));
        Ca.WriteClientDir(ClientDir);
        var server = Path.Combine(Dir, "server");
        Daemon = await BerthDaemon.StartAsync(
            "tls",
            "-H", "tcp://127.0.0.1:2376",
            "--tlsverify",
            "--tlscacert", Path.Combine(server, "ca.pem"),
            "--tlscert", Path.Combine(server, "server-cert.pem"),
            "--tlskey", Path.Combine(server, "server-key.pem"));
        await Daemon.LoadBusyboxAsync();
    }

    public async Task DisposeAsync()
    {
        await Daemon.DisposeAsync();
        Ca.Dispose();
        Directory.Delete(Dir, recursive: true);
    }
}

/// <summary>
/// TCP listeners are served with mutual TLS as dockerd does it (--tlsverify and the CA, server
/// certificate and key), reached by the real docker CLI and berth; a client without a
/// certificate of that CA is refused during the handshake, and a plain TCP listener is refused
/// at start unless --tls=false says so.
/// </summary>
public sealed class TlsListenerTests(TlsDaemon fixture) : IClassFixture<TlsDaemon>
{
    private readonly BerthDaemon _d = fixture.Daemon;

    /// <summary>Runs a CLI inside the daemon's network namespace, where 127.0.0.1:2376 is its TLS listener.</summary>
    private Task<CommandResult> InNetnsAsync(string cli, Dictionary<string, string> env, string? stdin, params string[] args) =>
        Shell.RunAsync("nsenter", [$"--net=/run/netns/{_d.Netns}", "--", cli, .. args], env, stdin);

    private Dictionary<string, string> TlsEnv(string certDir) => new()
    {
        ["DOCKER_HOST"] = "tcp://127.0.0.1:2376",
        ["DOCKER_TLS_VERIFY"] = "1",
        ["DOCKER_CERT_PATH"] = certDir,
        ["BERTH_HOST"] = string.Empty,
    };

    [Fact]
    public async Task Docker_cli_runs_a_container_with_stdin_over_mutual_tls()
    {
        var env = TlsEnv(fixture.ClientDir);
        var version = await InNetnsAsync(RepoPaths.DockerCli, env, null, "version", "--format", "{{.Server.APIVersion}}");
        Assert.True(version.ExitCode == 0, version.ToString());
        Assert.Equal("1.50", version.Out);

        // A hijacked stream over TLS: stdin goes in, its end (close_notify) ends cat, output comes back.
        var run = await InNetnsAsync(RepoPaths.DockerCli, env, "hello over tls\n", "run", "--rm", "-i", "busybox", "cat");
        Assert.True(run.ExitCode == 0, $"{run}\n{_d.Log}");
        Assert.Equal("hello over tls", run.Out);
    }

    [Fact]
    public async Task Berth_cli_speaks_tls_with_the_flags_and_with_docker_environment()
    {
        var flags = await InNetnsAsync(RepoPaths.Cli, new() { ["BERTH_HOST"] = string.Empty, ["DOCKER_HOST"] = string.Empty }, null,
            "-H", "tcp://127.0.0.1:2376", "--tlsverify",
            "--tlscacert", Path.Combine(fixture.ClientDir, "ca.pem"),
            "--tlscert", Path.Combine(fixture.ClientDir, "cert.pem"),
            "--tlskey", Path.Combine(fixture.ClientDir, "key.pem"),
            "version", "--format", "{{.Server.APIVersion}}");
        Assert.True(flags.ExitCode == 0, $"{flags}\n{_d.Log}");
        Assert.Equal("1.50", flags.Out);

        var run = await InNetnsAsync(RepoPaths.Cli, TlsEnv(fixture.ClientDir), "from berth\n", "run", "--rm", "-i", "busybox", "cat");
        Assert.True(run.ExitCode == 0, $"{run}\n{_d.Log}");
        Assert.Equal("from berth", run.Out);
    }

    [Fact]
    public async Task A_client_certificate_from_another_ca_is_refused()
    {
        using var other = new TestCertificates("another-ca");
        var dir = Path.Combine(fixture.Dir, "other");
        other.WriteClientDir(dir);

        // Trusts the daemon's CA (so the server check passes) but presents a certificate of another CA.
        File.Copy(Path.Combine(fixture.ClientDir, "ca.pem"), Path.Combine(dir, "ca.pem"), overwrite: true);
        var docker = await InNetnsAsync(RepoPaths.DockerCli, TlsEnv(dir), null, "ps");
        Assert.NotEqual(0, docker.ExitCode);
        Assert.DoesNotContain("CONTAINER ID", docker.Out, StringComparison.Ordinal);

        var berth = await InNetnsAsync(RepoPaths.Cli, TlsEnv(dir), null, "ps");
        Assert.NotEqual(0, berth.ExitCode);
    }

    [Fact]
    public async Task A_client_without_certificate_or_without_tls_gets_nothing()
    {
        var noCert = Path.Combine(fixture.Dir, "nocert");
        Directory.CreateDirectory(noCert);
        File.Copy(Path.Combine(fixture.ClientDir, "ca.pem"), Path.Combine(noCert, "ca.pem"), overwrite: true);
        var docker = await InNetnsAsync(RepoPaths.DockerCli, TlsEnv(noCert), null, "ps");
        Assert.NotEqual(0, docker.ExitCode);

        var plain = await InNetnsAsync(RepoPaths.DockerCli, new() { ["DOCKER_HOST"] = "tcp://127.0.0.1:2376" }, null, "ps");
        Assert.NotEqual(0, plain.ExitCode);
        Assert.DoesNotContain("CONTAINER ID", plain.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_server_certificate_is_checked_against_the_client_ca()
    {
        using var other = new TestCertificates("impostor-ca");
        var dir = Path.Combine(fixture.Dir, "wrong-ca");
        fixture.Ca.WriteClientDir(dir);
        File.WriteAllText(Path.Combine(dir, "ca.pem"), other.CaPem);
        var docker = await InNetnsAsync(RepoPaths.DockerCli, TlsEnv(dir), null, "ps");
        Assert.NotEqual(0, docker.ExitCode);
        var berth = await InNetnsAsync(RepoPaths.Cli, TlsEnv(dir), null, "ps");
        Assert.NotEqual(0, berth.ExitCode);
        Assert.Contains("TLS", berth.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_unix_socket_has_mode_0660_and_the_group()
    {
        var mode = File.GetUnixFileMode(_d.SocketPath);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.GroupWrite, mode);
        var stat = await Shell.CheckAsync("stat", "-c", "%u %g", _d.SocketPath);
        var expectedGid = File.ReadAllLines("/etc/group").Select(l => l.Split(':')).FirstOrDefault(f => f[0] == "docker")?[2] ?? "0";
        Assert.Equal($"0 {expectedGid}", stat.Out.Trim());
    }
}
