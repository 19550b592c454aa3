using System.Net;
using System.Text;
using System.Text.Json;
using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Networking;

public sealed class NetworkApiDaemon() : DaemonFixture("net", loadBusybox: false);

/// <summary>/networks through a real berthd (in its own namespace) and the real docker CLI.</summary>
public sealed class NetworkApiTests(NetworkApiDaemon fixture) : IClassFixture<NetworkApiDaemon>
{
    private readonly BerthDaemon _d = fixture.Daemon;

    private static string Unique(string p) => $"{p}{Guid.NewGuid().ToString("N")[..6]}";

    private async Task<CommandResult> Docker(params string[] args) => await _d.DockerAsync(args);

    [Fact]
    public async Task Network_ls_shows_the_predefined_networks()
    {
        var r = await Docker("network", "ls", "--format", "{{.Name}} {{.Driver}} {{.Scope}}");
        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.Contains("bridge bridge local", r.Out, StringComparison.Ordinal);
        Assert.Contains("host host local", r.Out, StringComparison.Ordinal);
        Assert.Contains("none null local", r.Out, StringComparison.Ordinal);
        var builtin = await Docker("network", "ls", "--filter", "type=builtin", "-q");
        Assert.Equal(3, builtin.Out.Split('\n').Length);
        var bridge = await Docker("network", "inspect", "bridge", "--format", "{{range .IPAM.Config}}{{.Subnet}}{{end}} {{index .Options \"com.docker.network.bridge.name\"}}");
        Assert.Equal("172.17.0.0/16 berth0", bridge.Out);
    }

    [Fact]
    public async Task Create_inspect_and_remove_with_subnet_gateway_range_and_labels()
    {
        var name = Unique("netsub");
        var c = await Docker("network", "create", "--subnet", "10.213.1.0/24", "--gateway", "10.213.1.1", "--ip-range", "10.213.1.128/25", "--aux-address", "router=10.213.1.5", "--label", "acc.run=x", "-o", "com.docker.network.driver.mtu=1400", name);
        Assert.True(c.ExitCode == 0, c.ToString());
        Assert.Matches("^[0-9a-f]{64}$", c.Out);
        var i = await Docker("network", "inspect", "-f", "{{.Driver}} {{range .IPAM.Config}}{{.Subnet}} {{.Gateway}} {{.IPRange}} {{.AuxiliaryAddresses.router}}{{end}} {{.Labels}} {{.Scope}} {{.Internal}}", name);
        Assert.Equal("bridge 10.213.1.0/24 10.213.1.1 10.213.1.128/25 10.213.1.5 map[acc.run:x] local false", i.Out);
        var dup = await Docker("network", "create", name);
        Assert.NotEqual(0, dup.ExitCode);
        Assert.Contains($"network with name {name} already exists", dup.Stderr, StringComparison.Ordinal);
        var overlap = await Docker("network", "create", "--subnet", "10.213.1.0/25", Unique("netov"));
        Assert.Contains("Pool overlaps with other one on this address space", overlap.Stderr, StringComparison.Ordinal);
        var bridgeName = await Docker("network", "inspect", "-f", "{{.Id}}", name);
        var link = await Shell.RunAsync("ip", ["-n", _d.Netns, "-o", "link", "show", "br-" + bridgeName.Out[..12]]);
        Assert.True(link.ExitCode == 0, link.ToString());
        Assert.Contains("mtu 1400", link.Stdout, StringComparison.Ordinal);
        var rm = await Docker("network", "rm", name);
        Assert.True(rm.ExitCode == 0, rm.ToString());
        var gone = await Docker("network", "inspect", name);
        Assert.Contains($"network {name} not found", gone.Stderr, StringComparison.Ordinal);
        var linkGone = await Shell.RunAsync("ip", ["-n", _d.Netns, "link", "show", "br-" + bridgeName.Out[..12]]);
        Assert.NotEqual(0, linkGone.ExitCode);
    }

    [Fact]
    public async Task Api_errors_have_dockers_status_codes()
    {
        using var predefined = await _d.Http.DeleteAsync("/v1.50/networks/bridge");
        Assert.Equal(HttpStatusCode.Forbidden, predefined.StatusCode);
        Assert.Contains("bridge is a pre-defined network and cannot be removed", await predefined.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        using var missing = await _d.Http.GetAsync("/v1.50/networks/nosuchnetwork");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var name = Unique("netdup");
        using var first = await PostAsync("/v1.50/networks/create", $"{{\"Name\":\"{name}\"}}");
        Assert.Equal(HttpStatusCode.Created, first.StatusCode);
        using var second = await PostAsync("/v1.41/networks/create", $"{{\"Name\":\"{name}\",\"CheckDuplicate\":true}}");
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        using var ipv6 = await PostAsync("/v1.50/networks/create", $"{{\"Name\":\"{Unique("net6")}\",\"EnableIPv6\":true}}");
        Assert.Equal(HttpStatusCode.NotImplemented, ipv6.StatusCode);
        using var plugin = await PostAsync("/v1.50/networks/create", $"{{\"Name\":\"{Unique("netp")}\",\"Driver\":\"weave\"}}");
        Assert.Equal(HttpStatusCode.NotFound, plugin.StatusCode);
        Assert.Equal("plugin \"weave\" not found", JsonDocument.Parse(await plugin.Content.ReadAsStringAsync()).RootElement.GetProperty("message").GetString());
        using var inspect = await _d.Http.GetAsync($"/v1.41/networks/{name}");
        var json = JsonDocument.Parse(await inspect.Content.ReadAsStringAsync()).RootElement;
        Assert.False(json.TryGetProperty("EnableIPv4", out _));
        Assert.Equal("default", json.GetProperty("IPAM").GetProperty("Driver").GetString());
        Assert.Equal(JsonValueKind.Object, json.GetProperty("Containers").ValueKind);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$", json.GetProperty("Created").GetString()!);
        await Docker("network", "rm", name);
    }

    [Fact]
    public async Task Prune_removes_unused_networks_matching_the_label_filter()
    {
        var keep = Unique("netkeep");
        var drop = Unique("netdrop");
        await Docker("network", "create", "--label", "prune=no", keep);
        await Docker("network", "create", "--label", "prune=yes", drop);
        var dangling = await Docker("network", "ls", "--filter", "dangling=true", "--format", "{{.Name}}");
        Assert.Contains(drop, dangling.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("bridge", dangling.Out.Split('\n'));
        var p = await Docker("network", "prune", "-f", "--filter", "label=prune=yes");
        Assert.True(p.ExitCode == 0, p.ToString());
        Assert.Contains(drop, p.Out, StringComparison.Ordinal);
        Assert.NotEqual(0, (await Docker("network", "inspect", drop)).ExitCode);
        Assert.Equal(0, (await Docker("network", "inspect", keep)).ExitCode);
        var byName = await Docker("network", "ls", "--filter", $"name={keep[..6]}", "--format", "{{.Name}}");
        Assert.Contains(keep, byName.Out, StringComparison.Ordinal);
        await Docker("network", "rm", keep);
    }

    [Fact]
    public async Task Macvlan_needs_an_existing_parent_and_ipvlan_is_refused_clearly_where_the_kernel_lacks_it()
    {
        await Shell.CheckAsync("ip", "-n", _d.Netns, "link", "add", "bnetmv0", "type", "veth", "peer", "name", "bnetmv1");
        var missing = await Docker("network", "create", "-d", "macvlan", "-o", "parent=nosuchnic", Unique("netmv"));
        Assert.Contains("-o parent interface was not found on the host: nosuchnic", missing.Stderr, StringComparison.Ordinal);
        var name = Unique("netmv");
        var ok = await Docker("network", "create", "-d", "macvlan", "--subnet", "10.213.2.0/24", "-o", "parent=bnetmv0", "-o", "macvlan_mode=bridge", name);
        Assert.True(ok.ExitCode == 0, ok.ToString());
        var mode = await Docker("network", "inspect", "-f", "{{.Driver}} {{.Options.parent}}", name);
        Assert.Equal("macvlan bnetmv0", mode.Out);
        var ipvlan = await Docker("network", "create", "-d", "ipvlan", "-o", "parent=bnetmv1", Unique("netipv"));
        if (Directory.Exists("/sys/module/ipvlan") || ipvlan.ExitCode == 0)
        {
            Assert.True(ipvlan.ExitCode == 0, ipvlan.ToString());
        }
        else
        {
            Assert.Contains("this kernel has no ipvlan support", ipvlan.Stderr, StringComparison.Ordinal);
        }

        await Docker("network", "rm", name);
    }

    private Task<HttpResponseMessage> PostAsync(string path, string json) =>
        _d.Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"));
}
