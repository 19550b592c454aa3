using System.Net;
using System.Net.Http.Headers;
using System.Text.Json.Nodes;

namespace Berth.Tests.Unit.Component;

/// <summary>
/// The /networks routes through the in-process daemon, whose network controller runs over the
/// fake kernel: the shapes docker clients read and Docker's statuses and messages for errors.
/// Every test names its own networks and subnets (the daemon is shared by the class).
/// </summary>
public sealed class NetworkRoutesTests(InProcessDaemon daemon) : IClassFixture<InProcessDaemon>
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    private HttpClient Http => daemon.Http;

    [Fact]
    public async Task Create_answers_201_with_the_id_and_inspect_and_list_show_dockers_shape()
    {
        var (status, body, _) = await Http.PostJsonAsync("/v1.50/networks/create",
            """{"Name":"shape-net","Driver":"bridge","Labels":{"tier":"web"},"Options":{"com.docker.network.bridge.name":"br-shape"},"IPAM":{"Config":[{"Subnet":"10.201.0.0/24","Gateway":"10.201.0.254","IPRange":"10.201.0.128/25"}]}}""");
        Assert.Equal(HttpStatusCode.Created, status);
        var id = body!["Id"]!.GetValue<string>();
        Assert.Matches("^[0-9a-f]{64}$", id);
        Assert.Equal(string.Empty, body["Warning"]!.GetValue<string>());

        var inspect = (await Http.GetJsonAsync("/v1.50/networks/shape-net")).Body!;
        Assert.Equal("shape-net", inspect["Name"]!.GetValue<string>());
        Assert.Equal(id, inspect["Id"]!.GetValue<string>());
        Assert.Equal("local", inspect["Scope"]!.GetValue<string>());
        Assert.Equal("bridge", inspect["Driver"]!.GetValue<string>());
        Assert.False(inspect["EnableIPv6"]!.GetValue<bool>());
        Assert.False(inspect["Internal"]!.GetValue<bool>());
        Assert.False(inspect["Attachable"]!.GetValue<bool>());
        Assert.False(inspect["Ingress"]!.GetValue<bool>());
        Assert.Equal("default", inspect["IPAM"]!["Driver"]!.GetValue<string>());
        var config = inspect["IPAM"]!["Config"]!.AsArray().Single()!;
        Assert.Equal("10.201.0.0/24", config["Subnet"]!.GetValue<string>());
        Assert.Equal("10.201.0.254", config["Gateway"]!.GetValue<string>());
        Assert.Equal("10.201.0.128/25", config["IPRange"]!.GetValue<string>());
        Assert.Equal("web", inspect["Labels"]!["tier"]!.GetValue<string>());
        Assert.Equal("br-shape", inspect["Options"]!["com.docker.network.bridge.name"]!.GetValue<string>());
        Assert.Empty(inspect["Containers"]!.AsObject());

        // The bridge exists in the (fake) kernel, addressed with the gateway.
        var bridge = await daemon.Kernel.RunAsync(host => host.GetLink("br-shape"));
        Assert.NotNull(bridge);
        Assert.Contains(await daemon.Kernel.RunAsync(host => host.ListAddresses()), a => a.Index == bridge.Index && a.Address.ToString() == "10.201.0.254");

        // By id prefix too, and API 1.47 adds EnableIPv4.
        Assert.Equal("shape-net", (await Http.GetJsonAsync($"/v1.50/networks/{id[..12]}")).Body!["Name"]!.GetValue<string>());
        Assert.Null((await Http.GetJsonAsync($"/v1.46/networks/{id}")).Body!["EnableIPv4"]);
        Assert.True((await Http.GetJsonAsync($"/v1.47/networks/{id}")).Body!["EnableIPv4"]!.GetValue<bool>());

        var list = (await Http.GetJsonAsync("/v1.50/networks?filters=" + Uri.EscapeDataString("""{"label":{"tier=web":true}}"""))).Body!.AsArray();
        Assert.Equal(["shape-net"], list.Select(n => n!["Name"]!.GetValue<string>()));
        var names = (await Http.GetJsonAsync("/v1.50/networks")).Body!.AsArray().Select(n => n!["Name"]!.GetValue<string>()).ToList();
        Assert.Contains("bridge", names);
        Assert.Contains("host", names);
        Assert.Contains("none", names);

        Assert.Equal(HttpStatusCode.NoContent, (await Http.SendAsync(HttpMethod.Delete, "/v1.50/networks/shape-net")).Status);
        Assert.Null(await daemon.Kernel.RunAsync(host => host.GetLink("br-shape")));
        await AssertErrorAsync(HttpMethod.Get, "/v1.50/networks/shape-net", null, HttpStatusCode.NotFound, "network shape-net not found");
    }

    [Theory]
    [InlineData("""{"Name":"bridge"}""", HttpStatusCode.Forbidden, "bridge is a pre-defined network and cannot be created")]
    [InlineData("""{"Name":"err-driver","Driver":"nosuch"}""", HttpStatusCode.NotFound, "plugin \"nosuch\" not found")]
    [InlineData("""{"Name":"err-cidr","IPAM":{"Config":[{"Subnet":"10.202.0.0/33"}]}}""", HttpStatusCode.BadRequest, "invalid CIDR address: 10.202.0.0/33")]
    [InlineData("""{"Name":"err-gw","IPAM":{"Config":[{"Subnet":"10.202.1.0/24","Gateway":"10.9.9.9"}]}}""", HttpStatusCode.BadRequest, "no matching subnet for gateway 10.9.9.9")]
    [InlineData("""{"Name":"err-v6","EnableIPv6":true}""", HttpStatusCode.NotImplemented, "IPv6 networks (--ipv6) are not supported yet")]
    [InlineData("""{"Name":"err-overlay","Driver":"overlay"}""", HttpStatusCode.NotImplemented, "overlay networks need swarm mode, which is not supported yet")]
    [InlineData("""{"Name":"err-host","Driver":"host"}""", HttpStatusCode.Forbidden, "only one instance of \"host\" network is allowed")]
    public async Task Create_refuses_what_docker_refuses_with_its_status_and_message(string json, HttpStatusCode status, string message) =>
        await AssertErrorAsync(HttpMethod.Post, "/v1.50/networks/create", json, status, message);

    [Fact]
    public async Task A_name_or_pool_taken_is_refused_and_predefined_networks_cannot_be_removed()
    {
        Assert.Equal(HttpStatusCode.Created, (await Http.PostJsonAsync("/v1.50/networks/create", """{"Name":"taken-net","IPAM":{"Config":[{"Subnet":"10.203.0.0/24"}]}}""")).Status);
        await AssertErrorAsync(HttpMethod.Post, "/v1.50/networks/create", """{"Name":"taken-net"}""", HttpStatusCode.Conflict, "network with name taken-net already exists");
        await AssertErrorAsync(HttpMethod.Post, "/v1.50/networks/create", """{"Name":"overlapping","IPAM":{"Config":[{"Subnet":"10.203.0.128/25"}]}}""", HttpStatusCode.Forbidden, "Pool overlaps with other one on this address space");
        await AssertErrorAsync(HttpMethod.Delete, "/v1.50/networks/bridge", null, HttpStatusCode.Forbidden, "bridge is a pre-defined network and cannot be removed");
        await AssertErrorAsync(HttpMethod.Delete, "/v1.50/networks/no-such-net", null, HttpStatusCode.NotFound, "network no-such-net not found");
        Assert.Equal(HttpStatusCode.NoContent, (await Http.SendAsync(HttpMethod.Delete, "/v1.50/networks/taken-net")).Status);
    }

    [Fact]
    public async Task A_running_container_is_connected_and_disconnected_and_inspect_shows_it_on_both_sides()
    {
        var net = (await Http.PostJsonAsync("/v1.50/networks/create", """{"Name":"conn-net","IPAM":{"Config":[{"Subnet":"10.204.0.0/24"}]}}""")).Body!["Id"]!.GetValue<string>();
        var id = await RunAsync("conn-web", "bridge");

        Assert.Equal(HttpStatusCode.OK, (await Http.PostJsonAsync("/v1.50/networks/conn-net/connect", """{"Container":"conn-web","EndpointConfig":{"Aliases":["api"],"IPAMConfig":{"IPv4Address":"10.204.0.9"}}}""")).Status);
        var containers = (await Http.GetJsonAsync("/v1.50/networks/conn-net")).Body!["Containers"]!.AsObject();
        var entry = containers[id]!;
        Assert.Equal("conn-web", entry["Name"]!.GetValue<string>());
        Assert.Equal("10.204.0.9/24", entry["IPv4Address"]!.GetValue<string>());
        Assert.Equal("02:42:0a:cc:00:09", entry["MacAddress"]!.GetValue<string>());
        Assert.Matches("^[0-9a-f]{64}$", entry["EndpointID"]!.GetValue<string>());
        Assert.Equal(string.Empty, entry["IPv6Address"]!.GetValue<string>());

        var settings = (await Http.GetJsonAsync($"/v1.50/containers/{id}/json")).Body!["NetworkSettings"]!["Networks"]!["conn-net"]!;
        Assert.Equal(net, settings["NetworkID"]!.GetValue<string>());
        Assert.Equal("10.204.0.9", settings["IPAddress"]!.GetValue<string>());
        Assert.Equal("10.204.0.1", settings["Gateway"]!.GetValue<string>());
        Assert.Contains("api", settings["Aliases"]!.AsArray().Select(a => a!.GetValue<string>()));

        // The interface exists in the container's (fake) namespace, second after the default bridge's.
        var sandbox = (await Http.GetJsonAsync($"/v1.50/containers/{id}/json")).Body!["NetworkSettings"]!["SandboxKey"]!.GetValue<string>();
        var eth1 = await daemon.Kernel.RunInAsync(sandbox, (_, inside) => inside.GetLink("eth1"));
        Assert.Equal("02:42:0a:cc:00:09", eth1!.MacAddress);

        await AssertErrorAsync(HttpMethod.Post, "/v1.50/networks/conn-net/connect", """{"Container":"conn-web"}""", HttpStatusCode.Forbidden, "endpoint with name conn-web already exists in network conn-net");
        await AssertErrorAsync(HttpMethod.Delete, "/v1.50/networks/conn-net", null, HttpStatusCode.Forbidden, $"error while removing network: network conn-net id {net} has active endpoints");

        Assert.Equal(HttpStatusCode.OK, (await Http.PostJsonAsync("/v1.50/networks/conn-net/disconnect", """{"Container":"conn-web"}""")).Status);
        Assert.Empty((await Http.GetJsonAsync("/v1.50/networks/conn-net")).Body!["Containers"]!.AsObject());
        Assert.Null(await daemon.Kernel.RunInAsync(sandbox, (_, inside) => inside.GetLink("eth1")));
        Assert.Null((await Http.GetJsonAsync($"/v1.50/containers/{id}/json")).Body!["NetworkSettings"]!["Networks"]!["conn-net"]);

        await StopAsync(id);
        Assert.Equal(HttpStatusCode.NoContent, (await Http.SendAsync(HttpMethod.Delete, "/v1.50/networks/conn-net")).Status);
    }

    [Fact]
    public async Task Link_local_ips_and_driver_options_of_a_connect_reach_the_interface_and_inspect()
    {
        Assert.Equal(HttpStatusCode.Created, (await Http.PostJsonAsync("/v1.50/networks/create", """{"Name":"ll-net","IPAM":{"Config":[{"Subnet":"10.207.0.0/24"}]}}""")).Status);
        var id = await RunAsync("ll-c", "bridge");

        await AssertErrorAsync(HttpMethod.Post, "/v1.50/networks/ll-net/connect", """{"Container":"ll-c","EndpointConfig":{"IPAMConfig":{"LinkLocalIPs":["10.1.1.1"]}}}""", HttpStatusCode.BadRequest, "invalid link local IP address: 10.1.1.1");
        await AssertErrorAsync(HttpMethod.Post, "/v1.50/networks/ll-net/connect", """{"Container":"ll-c","EndpointConfig":{"IPAMConfig":{"LinkLocalIPs":["169.254.1.1","nope"]}}}""", HttpStatusCode.BadRequest, "Invalid link-local IP address: [169.254.1.1 nope]");
        await AssertErrorAsync(HttpMethod.Post, "/v1.50/networks/ll-net/connect", """{"Container":"ll-c","EndpointConfig":{"IPAMConfig":{"LinkLocalIPs":["fe80::5"]}}}""", HttpStatusCode.NotImplemented, "IPv6 link-local addresses (--link-local-ip fe80::5) are not supported yet (IPv6 networks are not supported)");

        Assert.Equal(HttpStatusCode.OK, (await Http.PostJsonAsync("/v1.50/networks/ll-net/connect", """{"Container":"ll-c","EndpointConfig":{"IPAMConfig":{"LinkLocalIPs":["169.254.7.7"]},"DriverOpts":{"foo":"bar"}}}""")).Status);
        var settings = (await Http.GetJsonAsync($"/v1.50/containers/{id}/json")).Body!["NetworkSettings"]!;
        var endpoint = settings["Networks"]!["ll-net"]!;
        Assert.Equal("""{"LinkLocalIPs":["169.254.7.7"]}""", endpoint["IPAMConfig"]!.ToJsonString());
        Assert.Equal("""{"foo":"bar"}""", endpoint["DriverOpts"]!.ToJsonString());
        Assert.Null(settings["Networks"]!["bridge"]!["DriverOpts"]);
        Assert.Null(settings["Networks"]!["bridge"]!["IPAMConfig"]);

        var sandbox = settings["SandboxKey"]!.GetValue<string>();
        var (eth1, addresses) = await daemon.Kernel.RunInAsync(sandbox, (_, inside) => (inside.GetLink("eth1")!, inside.ListAddresses()));
        Assert.Contains(addresses, a => a.Index == eth1.Index && a.Address.ToString() == "169.254.7.7" && a.PrefixLength == 16);
        Assert.Contains(addresses, a => a.Index == eth1.Index && a.Address.ToString() == "10.207.0.2" && a.PrefixLength == 24);

        await StopAsync(id);
        Assert.Equal(HttpStatusCode.NoContent, (await Http.SendAsync(HttpMethod.Delete, $"/v1.50/containers/{id}")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await Http.SendAsync(HttpMethod.Delete, "/v1.50/networks/ll-net")).Status);
    }

    [Fact]
    public async Task Connect_and_disconnect_errors_have_dockers_statuses_and_messages()
    {
        Assert.Equal(HttpStatusCode.Created, (await Http.PostJsonAsync("/v1.50/networks/create", """{"Name":"err-conn","IPAM":{"Config":[{"Subnet":"10.205.0.0/24"}]}}""")).Status);
        var id = await RunAsync("err-conn-c", "bridge");

        await AssertErrorAsync(HttpMethod.Post, "/v1.50/networks/no-such-net/connect", """{"Container":"err-conn-c"}""", HttpStatusCode.NotFound, "network no-such-net not found");
        await AssertErrorAsync(HttpMethod.Post, "/v1.50/networks/err-conn/connect", """{"Container":"no-such-container"}""", HttpStatusCode.NotFound, "No such container: no-such-container");
        await AssertErrorAsync(HttpMethod.Post, "/v1.50/networks/err-conn/disconnect", """{"Container":"err-conn-c"}""", HttpStatusCode.Forbidden, $"container {id} is not connected to network err-conn");
        await AssertErrorAsync(HttpMethod.Post, "/v1.50/networks/bridge/connect", """{"Container":"err-conn-c","EndpointConfig":{"Aliases":["x"]}}""", HttpStatusCode.Forbidden, "endpoint with name err-conn-c already exists in network bridge");
        await AssertErrorAsync(HttpMethod.Post, "/v1.50/networks/err-conn/connect", """{"Container":"err-conn-c","EndpointConfig":{"IPAMConfig":{"IPv4Address":"10.99.0.1"}}}""", HttpStatusCode.BadRequest, "Invalid address 10.99.0.1: It does not belong to any of this network's subnets");
        await AssertErrorAsync(HttpMethod.Post, "/v1.50/networks/host/connect", """{"Container":"err-conn-c"}""", HttpStatusCode.Forbidden, "container cannot be disconnected from host network or connected to host network");
        await AssertErrorAsync(HttpMethod.Post, "/v1.50/networks/err-conn/connect", null, HttpStatusCode.BadRequest, "invalid name or ID supplied: \"\"");

        await StopAsync(id);
        Assert.Equal(HttpStatusCode.NoContent, (await Http.SendAsync(HttpMethod.Delete, "/v1.50/networks/err-conn")).Status);
    }

    [Fact]
    public async Task Prune_removes_unused_user_networks_the_filters_accept_and_reports_their_names()
    {
        Assert.Equal(HttpStatusCode.Created, (await Http.PostJsonAsync("/v1.50/networks/create", """{"Name":"prune-a","Labels":{"prune-test":"yes"},"IPAM":{"Config":[{"Subnet":"10.206.0.0/24"}]}}""")).Status);
        Assert.Equal(HttpStatusCode.Created, (await Http.PostJsonAsync("/v1.50/networks/create", """{"Name":"prune-keep","Labels":{"prune-test":"no"},"IPAM":{"Config":[{"Subnet":"10.206.1.0/24"}]}}""")).Status);
        Assert.Equal(HttpStatusCode.Created, (await Http.PostJsonAsync("/v1.50/networks/create", """{"Name":"prune-used","Labels":{"prune-test":"yes"},"IPAM":{"Config":[{"Subnet":"10.206.2.0/24"}]}}""")).Status);
        var id = await RunAsync("prune-c", "prune-used");

        var (status, body, _) = await Http.PostJsonAsync("/v1.50/networks/prune?filters=" + Uri.EscapeDataString("""{"label":{"prune-test=yes":true}}"""));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(["prune-a"], body!["NetworksDeleted"]!.AsArray().Select(n => n!.GetValue<string>()));
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetJsonAsync("/v1.50/networks/prune-a")).Status);
        Assert.Equal(HttpStatusCode.OK, (await Http.GetJsonAsync("/v1.50/networks/prune-keep")).Status);
        Assert.Equal(HttpStatusCode.OK, (await Http.GetJsonAsync("/v1.50/networks/prune-used")).Status);

        await StopAsync(id);
        Assert.Equal(HttpStatusCode.NoContent, (await Http.SendAsync(HttpMethod.Delete, "/v1.50/networks/prune-used")).Status);
        Assert.Equal(HttpStatusCode.NoContent, (await Http.SendAsync(HttpMethod.Delete, "/v1.50/networks/prune-keep")).Status);
    }

    [Fact]
    public async Task A_published_port_becomes_a_dnat_element_and_goes_when_the_container_stops()
    {
        var image = await LoadAsync("comp-net-port:1");
        var create = await Http.PostJsonAsync("/v1.50/containers/create?name=port-web",
            $$$$"""{"Image":"{{{{image}}}}","Cmd":["sleep","600"],"ExposedPorts":{"80/tcp":{}},"HostConfig":{"PortBindings":{"80/tcp":[{"HostIp":"127.0.0.1","HostPort":"18080"}]}}}""");
        Assert.Equal(HttpStatusCode.Created, create.Status);
        var id = create.Body!["Id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.NoContent, (await Http.PostJsonAsync($"/v1.50/containers/{id}/start")).Status);

        var inspect = (await Http.GetJsonAsync($"/v1.50/containers/{id}/json")).Body!["NetworkSettings"]!;
        var ip = inspect["Networks"]!["bridge"]!["IPAddress"]!.GetValue<string>();
        var binding = inspect["Ports"]!["80/tcp"]!.AsArray().Single()!;
        Assert.Equal("127.0.0.1", binding["HostIp"]!.GetValue<string>());
        Assert.Equal("18080", binding["HostPort"]!.GetValue<string>());
        var element = $"add element ip berth tcp-ip {{ 127.0.0.1 . 18080 : {ip} . 80 }}";
        Assert.Contains(daemon.Kernel.Home.NftablesBatches, b => b.Contains(element, StringComparison.Ordinal));

        // The container service releases the network as it records the exit; a stop may answer
        // just before (its state is visible first), so this waits for the element to go.
        await StopAsync(id);
        var guard = System.Diagnostics.Stopwatch.StartNew();
        while (!daemon.Kernel.Home.NftablesBatches.Any(b => b.Contains("delete element ip berth tcp-ip { 127.0.0.1 . 18080 }", StringComparison.Ordinal)))
        {
            Assert.True(guard.Elapsed < HangGuard, string.Join("\n----\n", daemon.Kernel.Home.NftablesBatches.TakeLast(3)));
            await Task.Delay(10);
        }

        Assert.Equal(HttpStatusCode.NoContent, (await Http.SendAsync(HttpMethod.Delete, $"/v1.50/containers/{id}")).Status);
    }

    private async Task AssertErrorAsync(HttpMethod method, string path, string? json, HttpStatusCode status, string message)
    {
        var (actual, body, _) = await Http.SendAsync(method, path, json);
        Assert.Equal(status, actual);
        Assert.Equal(message, body!["message"]!.GetValue<string>());
    }

    /// <summary>Creates and starts a container named <paramref name="name"/> sleeping on <paramref name="network"/>; returns its id.</summary>
    private async Task<string> RunAsync(string name, string network)
    {
        var image = await LoadAsync($"comp-net-{name}:1");
        var (status, body, _) = await Http.PostJsonAsync($"/v1.50/containers/create?name={name}", $$$"""{"Image":"{{{image}}}","Cmd":["sleep","600"],"HostConfig":{"NetworkMode":"{{{network}}}"}}""");
        Assert.True(status == HttpStatusCode.Created, body?.ToJsonString());
        var id = body!["Id"]!.GetValue<string>();
        Assert.Equal(HttpStatusCode.NoContent, (await Http.PostJsonAsync($"/v1.50/containers/{id}/start")).Status);
        return id;
    }

    private async Task StopAsync(string id)
    {
        Assert.Equal(HttpStatusCode.NoContent, (await Http.PostJsonAsync($"/v1.50/containers/{id}/stop?t=0").WaitAsync(HangGuard)).Status);
    }

    private async Task<string> LoadAsync(string tag)
    {
        using var content = new ByteArrayContent(TestImage.Archive(tag));
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-tar");
        using var response = await Http.PostAsync("/v1.50/images/load?quiet=1", content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        var loaded = JsonNode.Parse(text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last())!["stream"]!.GetValue<string>().Trim();
        return loaded[(loaded.IndexOf(": ", StringComparison.Ordinal) + 2)..];
    }
}
