using Berth.Cli;
using Berth.Client;

namespace Berth.Tests.Unit.Cli;

public sealed class CliConfigTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), $"berth-cliconfig-{Guid.NewGuid():N}");

    public void Dispose()
    {
        if (Directory.Exists(_dir))
        {
            Directory.Delete(_dir, recursive: true);
        }
    }

    [Fact]
    public void Config_json_holding_credentials_is_written_0600_in_a_0700_directory()
    {
        var config = CliConfig.Load(_dir);
        config.SetAuth("registry.example", "dXNlcjpwYXNz");
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(config.FilePath));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(_dir));
    }

    [Fact]
    public void A_readable_config_json_becomes_0600_when_rewritten()
    {
        Directory.CreateDirectory(_dir);
        var file = Path.Combine(_dir, "config.json");
        File.WriteAllText(file, """{"auths":{"registry.example":{"auth":"eDp5"}}}""");
        File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        File.WriteAllText(file + ".tmp", "left over");
        File.SetUnixFileMode(file + ".tmp", (UnixFileMode)0x1FF);

        Assert.True(CliConfig.Load(_dir).RemoveAuth("registry.example"));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
    }

    [Fact]
    public void Tls_follows_docker_flags_and_environment()
    {
        Directory.CreateDirectory(_dir);
        File.WriteAllText(Path.Combine(_dir, "ca.pem"), "x");
        File.WriteAllText(Path.Combine(_dir, "cert.pem"), "x");
        Dictionary<string, string> env = [];
        string? Env(string name) => env.TryGetValue(name, out var v) ? v : null;

        Assert.Null(ClientTls.Resolve(false, null, null, null, null, _dir, Env));

        env["DOCKER_TLS_VERIFY"] = "1";
        var verify = ClientTls.Resolve(false, null, null, null, null, _dir, Env);
        Assert.NotNull(verify);
        Assert.True(verify.Verify);
        Assert.Equal(Path.Combine(_dir, "ca.pem"), verify.CaFile);
        Assert.Equal(Path.Combine(_dir, "cert.pem"), verify.CertFile);
        Assert.Null(verify.KeyFile); // a default file that does not exist is left out, as docker does

        // --tlsverify=false given on the command line wins over the environment; --tls alone skips verification.
        Assert.Null(ClientTls.Resolve(false, false, null, null, null, _dir, Env));
        var tlsOnly = ClientTls.Resolve(true, false, null, null, null, _dir, Env);
        Assert.NotNull(tlsOnly);
        Assert.False(tlsOnly.Verify);

        env["DOCKER_CERT_PATH"] = "/nonexistent";
        Assert.Null(ClientTls.Resolve(false, null, null, null, null, _dir, Env)!.CaFile);
        Assert.Equal("/given/ca.pem", ClientTls.Resolve(false, null, "/given/ca.pem", null, null, _dir, Env)!.CaFile);
    }

    [Fact]
    public void A_tls_endpoint_without_a_port_uses_dockers_tls_port()
    {
        var tls = new ClientTls(true, null, null, null);
        Assert.Equal(2376, DaemonEndpoint.Parse("tcp://127.0.0.1").WithTls(tls).Port);
        Assert.Equal(2375, DaemonEndpoint.Parse("tcp://127.0.0.1").WithTls(null).Port);
        Assert.Equal(4000, DaemonEndpoint.Parse("tcp://127.0.0.1:4000").WithTls(tls).Port);
    }
}
