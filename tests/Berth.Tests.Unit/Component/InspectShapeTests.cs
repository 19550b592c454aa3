using System.Net;
using System.Text.Json.Nodes;

namespace Berth.Tests.Unit.Component;

/// <summary>
/// GET /containers/{id}/json per API version: which fields exist and what they hold, as dockerd of
/// that version sends them (dockerd 20.10 for 1.41; the API changelog for the later ones).
/// </summary>
public sealed class InspectShapeTests(InProcessDaemon daemon) : IClassFixture<InProcessDaemon>
{
    private HttpClient Http => daemon.Http;

    public static TheoryData<string, bool, bool, bool, bool> Versions => new()
    {
        // version, KernelMemory sent, DNSNames, GwPriority, aliases list the short ID and hostname
        { "1.41", true, false, false, true },
        { "1.42", false, false, false, true },
        { "1.44", false, true, false, true },
        { "1.45", false, true, false, false },
        { "1.48", false, true, true, false },
        { "1.50", false, true, true, false },
    };

    [Theory]
    [MemberData(nameof(Versions))]
    public async Task Inspect_has_the_fields_of_the_requested_version(string version, bool kernelMemory, bool dnsNames, bool gwPriority, bool oldAliases)
    {
        var (id, network) = await ContainerOnUserNetworkAsync();
        var (status, body, _) = await Http.GetJsonAsync($"/v{version}/containers/{id}/json");
        Assert.Equal(HttpStatusCode.OK, status);
        // Never started: dockerd has made none of its files yet (20.10 shows them empty).
        foreach (var path in new[] { "ResolvConfPath", "HostnamePath", "HostsPath", "LogPath" })
        {
            Assert.Equal(string.Empty, body![path]!.GetValue<string>());
        }

        var hc = body!["HostConfig"]!.AsObject();
        Assert.Equal(kernelMemory, hc.ContainsKey("KernelMemory"));
        Assert.Equal(kernelMemory, hc.ContainsKey("KernelMemoryTCP"));

        // Deprecated in 1.44 but sent by dockerd until 1.52.
        var ns = body["NetworkSettings"]!.AsObject();
        Assert.False(ns["HairpinMode"]!.GetValue<bool>());
        Assert.Equal(string.Empty, ns["LinkLocalIPv6Address"]!.GetValue<string>());
        Assert.Equal(0, ns["LinkLocalIPv6PrefixLen"]!.GetValue<int>());
        Assert.True(ns.ContainsKey("SecondaryIPAddresses") && ns["SecondaryIPAddresses"] is null);
        Assert.True(ns.ContainsKey("SecondaryIPv6Addresses") && ns["SecondaryIPv6Addresses"] is null);

        var ep = ns["Networks"]![network]!.AsObject();
        Assert.Equal(dnsNames, ep.ContainsKey("DNSNames"));
        Assert.Equal(gwPriority, ep.ContainsKey("GwPriority"));
        var hostname = body["Config"]!["Hostname"]!.GetValue<string>();
        var aliases = ep["Aliases"]!.AsArray().Select(a => a!.GetValue<string>()).ToList();
        Assert.Equal(oldAliases ? ["al", id[..12], hostname] : ["al"], aliases);
    }

    private async Task<(string Id, string Network)> ContainerOnUserNetworkAsync()
    {
        using (var content = new ByteArrayContent(TestImage.Archive("shape:v1")))
        {
            content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-tar");
            using var load = await Http.PostAsync("/v1.50/images/load?quiet=1", content);
            Assert.True(load.IsSuccessStatusCode);
        }

        var network = "shape-" + Guid.NewGuid().ToString("N")[..8];
        var (netStatus, netBody, _) = await Http.PostJsonAsync("/v1.50/networks/create", $"{{\"Name\":\"{network}\"}}");
        Assert.True(netStatus == HttpStatusCode.Created, netBody?.ToJsonString());
        var (status, body, _) = await Http.PostJsonAsync(
            "/v1.50/containers/create",
            $"{{\"Image\":\"shape:v1\",\"Hostname\":\"shape-host\",\"HostConfig\":{{\"NetworkMode\":\"{network}\"}},\"NetworkingConfig\":{{\"EndpointsConfig\":{{\"{network}\":{{\"Aliases\":[\"al\"]}}}}}}}}");
        Assert.True(status == HttpStatusCode.Created, body?.ToJsonString());
        return (body!["Id"]!.GetValue<string>(), network);
    }
}
