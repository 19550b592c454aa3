using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Networking;

/// <summary>daemon.json networking keys and persistence across a killed and restarted berthd.</summary>
public sealed class NetworkDaemonConfigTests : IAsyncLifetime
{
    private readonly string _cfgDir = Directory.CreateTempSubdirectory("net-cfg").FullName;
    private BerthDaemon _d = null!;

    private string Config => Path.Combine(_cfgDir, "daemon.json");

    public async Task InitializeAsync()
    {
        await File.WriteAllTextAsync(Config, """
            {
              "bip": "10.213.40.1/24",
              "bridge": "bnetdef0",
              "default-address-pools": [{"base": "10.213.48.0/20", "size": 24}],
              "dns": ["127.0.0.1"]
            }
            """);
        _d = await BerthDaemon.StartAsync("netcfg", "--config-file", Config);
    }

    public async Task DisposeAsync()
    {
        await _d.DisposeAsync();
        Directory.Delete(_cfgDir, recursive: true);
    }

    [Fact]
    public async Task Bip_bridge_name_and_address_pools_come_from_daemon_json_and_survive_a_crash()
    {
        var bridge = await _d.DockerAsync("network", "inspect", "bridge", "-f", "{{range .IPAM.Config}}{{.Subnet}}{{end}} {{index .Options \"com.docker.network.bridge.name\"}}");
        Assert.Equal("10.213.40.0/24 bnetdef0", bridge.Out);
        var link = await Shell.CheckAsync("ip", "-n", _d.Netns, "-4", "-o", "addr", "show", "bnetdef0");
        Assert.Contains("10.213.40.1/24", link.Stdout, StringComparison.Ordinal);

        var a = await _d.DockerAsync("network", "create", "neta");
        Assert.True(a.ExitCode == 0, a.ToString());
        var b = await _d.DockerAsync("network", "create", "netb");
        Assert.True(b.ExitCode == 0, b.ToString());
        var subnets = await _d.DockerAsync("network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}", "neta", "netb");
        Assert.Equal("10.213.48.0/24 10.213.48.1\n10.213.49.0/24 10.213.49.1", subnets.Out);

        await _d.KillAsync();
        await _d.RestartAsync("--config-file", Config);
        var after = await _d.DockerAsync("network", "ls", "--format", "{{.Name}}");
        Assert.Contains("neta", after.Out.Split('\n'));
        Assert.Contains("netb", after.Out.Split('\n'));
        var c = await _d.DockerAsync("network", "create", "netc");
        Assert.True(c.ExitCode == 0, c.ToString());
        var subnet = await _d.DockerAsync("network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}}{{end}}", "netc");
        Assert.Equal("10.213.50.0/24", subnet.Out);
        var rules = await Shell.CheckAsync("ip", "netns", "exec", _d.Netns, "nft", "list", "table", "ip", "berth");
        Assert.Contains("\"bnetdef0\"", rules.Stdout, StringComparison.Ordinal);
        Assert.Contains("10.213.50.0/24", rules.Stdout, StringComparison.Ordinal);
        foreach (var n in new[] { "neta", "netb", "netc" })
        {
            Assert.Equal(0, (await _d.DockerAsync("network", "rm", n)).ExitCode);
        }

        var left = await Shell.CheckAsync("ip", "-n", _d.Netns, "-o", "link", "show", "type", "bridge");
        Assert.Equal("bnetdef0", Assert.Single(left.Stdout.Trim().Split('\n')).Split(':')[1].Trim());
    }
}
