using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Networking;

public sealed class ContainerNetworkingDaemon() : DaemonFixture("cnet");

/// <summary>
/// Containers on real networks through the docker CLI and berthd: veth pairs on kernel bridges,
/// nftables NAT and published ports, the embedded DNS. All traffic stays inside the daemon's
/// network namespace (the "host" of these tests).
/// </summary>
public sealed class ContainerNetworkingTests(ContainerNetworkingDaemon fixture) : IClassFixture<ContainerNetworkingDaemon>
{
    private readonly BerthDaemon _d = fixture.Daemon;

    private static string Unique(string p) => $"{p}{Guid.NewGuid().ToString("N")[..6]}";

    private Task<string> OkAsync(params string[] args) => _d.DockerOkAsync(args);

    /// <summary>A command on the daemon's host side (its network namespace).</summary>
    private Task<CommandResult> HostAsync(string file, params string[] args) =>
        Shell.RunAsync("nsenter", [$"--net=/run/netns/{_d.Netns}", "--", file, .. args]);

    private async Task<string> HttpGetFromHostAsync(string url)
    {
        var guard = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            var r = await HostAsync("curl", "-sS", "--max-time", "3", url);
            if (r.ExitCode == 0 || guard.Elapsed > Until.HangGuard)
            {
                Assert.True(r.ExitCode == 0, $"curl {url}: {r}");
                return r.Stdout;
            }

            await Task.Delay(100); // httpd inside the container may not listen yet
        }
    }

    [Fact]
    public async Task The_default_bridge_gives_an_address_a_route_and_dockers_files()
    {
        var name = Unique("bridged");
        await OkAsync("run", "-d", "--name", name, "--add-host", "extra.example:10.1.2.3", "--dns-search", "corp.example", "busybox", "sleep", "600");
        var ip = await OkAsync("inspect", "-f", "{{.NetworkSettings.IPAddress}} {{.NetworkSettings.Networks.bridge.IPAddress}} {{.NetworkSettings.Gateway}} {{.NetworkSettings.Networks.bridge.IPPrefixLen}}", name);
        var parts = ip.Split(' ');
        Assert.Matches(@"^172\.17\.0\.\d+$", parts[0]);
        Assert.Equal(parts[0], parts[1]);
        Assert.Equal("172.17.0.1 16", $"{parts[2]} {parts[3]}");
        var inside = await OkAsync("exec", name, "sh", "-c", "ip -4 -o addr show eth0; ip route; cat /etc/hosts /etc/resolv.conf");
        Assert.Contains($"inet {parts[0]}/16", inside, StringComparison.Ordinal);
        Assert.Contains("default via 172.17.0.1 dev eth0", inside, StringComparison.Ordinal);
        Assert.Contains("10.1.2.3\textra.example", inside, StringComparison.Ordinal);
        Assert.Contains($"{parts[0]}\t{(await OkAsync("inspect", "-f", "{{.Config.Hostname}}", name))}", inside, StringComparison.Ordinal);
        Assert.Contains("search corp.example", inside, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.11", inside, StringComparison.Ordinal); // no embedded DNS on the default bridge

        // The host reaches the container over the bridge, and the container the host's bridge address.
        Assert.Equal(0, (await HostAsync("busybox", "ping", "-c", "1", "-W", "2", parts[0])).ExitCode);
        await OkAsync("exec", name, "ping", "-c", "1", "-W", "2", "172.17.0.1");
        await OkAsync("rm", "-f", name);
    }

    [Fact]
    public async Task Containers_on_one_network_talk_by_name_and_alias_and_other_networks_are_isolated()
    {
        var net = Unique("front");
        var other = Unique("back");
        await OkAsync("network", "create", net);
        await OkAsync("network", "create", other);
        var server = Unique("srv");
        var stranger = Unique("str");
        await OkAsync("run", "-d", "--name", server, "--network", net, "--network-alias", "api", "busybox", "sh", "-c", "while true; do echo pong | nc -l -p 7000; done");
        await OkAsync("run", "-d", "--name", stranger, "--network", other, "busybox", "sleep", "600");
        var serverIp = await OkAsync("inspect", "-f", $"{{{{(index .NetworkSettings.Networks \"{net}\").IPAddress}}}}", server);
        var strangerIp = await OkAsync("inspect", "-f", $"{{{{(index .NetworkSettings.Networks \"{other}\").IPAddress}}}}", stranger);

        var byName = await OkAsync("run", "--rm", "--network", net, "busybox", "sh", "-c", $"ping -c 1 -W 2 {server} >/dev/null && nslookup api | tail -n +3 && for i in 1 2 3 4 5; do nc -w 2 {server} 7000 && break; sleep 0.2; done");
        Assert.Contains(serverIp, byName, StringComparison.Ordinal);
        Assert.Contains("pong", byName, StringComparison.Ordinal);

        // Another network: its container's name does not resolve and its address is unreachable.
        var isolated = await _d.DockerAsync("run", "--rm", "--network", net, "busybox", "sh", "-c", $"nslookup {stranger} 127.0.0.11; ping -c 1 -W 1 {strangerIp}");
        Assert.NotEqual(0, isolated.ExitCode);
        Assert.DoesNotContain($"Address: {strangerIp}", isolated.Stdout, StringComparison.Ordinal);

        // Connected to both, a container reaches both.
        var both = Unique("both");
        await OkAsync("run", "-d", "--name", both, "--network", net, "busybox", "sleep", "600");
        await OkAsync("network", "connect", other, both);
        await OkAsync("exec", both, "ping", "-c", "1", "-W", "2", server);
        await OkAsync("exec", both, "ping", "-c", "1", "-W", "2", stranger);
        var nets = (await OkAsync("inspect", "-f", "{{range $k, $v := .NetworkSettings.Networks}}{{$k}} {{end}}", both)).TrimEnd();
        Assert.Equal(string.Join(' ', new[] { net, other }.Order(StringComparer.Ordinal)), nets);
        await OkAsync("network", "disconnect", other, both);
        Assert.Equal("1", await OkAsync("exec", both, "sh", "-c", "ip -o -4 addr | grep -c eth"));

        // Active endpoints keep a network; once the containers are gone it can be removed.
        var rm = await _d.DockerAsync("network", "rm", net);
        Assert.NotEqual(0, rm.ExitCode);
        Assert.Contains("has active endpoints", rm.Stderr, StringComparison.Ordinal);
        await OkAsync("rm", "-f", server, stranger, both);
        await OkAsync("network", "rm", net, other);
    }

    [Fact]
    public async Task Link_local_ips_are_added_to_the_containers_interface_at_run_and_connect_and_shown_in_inspect()
    {
        var net = Unique("ll");
        var other = Unique("llo");
        await OkAsync("network", "create", "--subnet", "10.214.0.0/24", net);
        await OkAsync("network", "create", "--subnet", "10.214.1.0/24", other);
        var c = Unique("llc");
        await OkAsync("run", "-d", "--name", c, "--network", net, "--link-local-ip", "169.254.3.3", "busybox", "sleep", "600");
        var eth0 = await OkAsync("exec", c, "ip", "-o", "-4", "addr", "show", "eth0");
        Assert.Contains("inet 10.214.0.2/24", eth0, StringComparison.Ordinal);
        Assert.Contains("inet 169.254.3.3/16", eth0, StringComparison.Ordinal);
        Assert.Contains("169.254.0.0/16 dev eth0", await OkAsync("exec", c, "ip", "route"), StringComparison.Ordinal);

        await OkAsync("network", "connect", "--link-local-ip", "169.254.7.7", other, c);
        Assert.Contains("inet 169.254.7.7/16", await OkAsync("exec", c, "ip", "-o", "-4", "addr", "show", "eth1"), StringComparison.Ordinal);
        Assert.Equal("[169.254.7.7]", await OkAsync("inspect", "-f", $"{{{{(index .NetworkSettings.Networks \"{other}\").IPAMConfig.LinkLocalIPs}}}}", c));
        Assert.Equal("[169.254.3.3]", await OkAsync("inspect", "-f", $"{{{{(index .NetworkSettings.Networks \"{net}\").IPAMConfig.LinkLocalIPs}}}}", c));

        // dockerd's messages for what is not a link-local address (it answers them with 500, Berth with 400).
        var outside = await _d.DockerAsync("network", "connect", "--link-local-ip", "10.1.1.1", "bridge", c);
        Assert.NotEqual(0, outside.ExitCode);
        Assert.Contains("invalid link local IP address: 10.1.1.1", outside.Stderr, StringComparison.Ordinal);
        var garbage = await _d.DockerAsync("run", "--rm", "--network", net, "--link-local-ip", "notanip", "busybox", "true");
        Assert.NotEqual(0, garbage.ExitCode);
        Assert.Contains("Invalid link-local IP address: [notanip]", garbage.Stderr, StringComparison.Ordinal);

        // The addresses go with the container's network on stop and come back at the next start.
        await OkAsync("restart", "-t", "0", c);
        Assert.Contains("inet 169.254.3.3/16", await OkAsync("exec", c, "ip", "-o", "-4", "addr", "show", "eth0"), StringComparison.Ordinal);
        await OkAsync("rm", "-f", c);
        await OkAsync("network", "rm", net, other);
    }

    [Fact]
    public async Task Endpoint_driver_options_are_accepted_kept_and_shown_as_dockerd_shows_them()
    {
        var net = Unique("dopt");
        await OkAsync("network", "create", net);
        var c = Unique("doptc");
        await OkAsync("run", "-d", "--name", c, "busybox", "sleep", "600");
        await OkAsync("network", "connect", "--driver-opt", "foo=bar", "--driver-opt", "com.example.x=1", net, c);
        Assert.Equal("map[com.example.x:1 foo:bar]", await OkAsync("inspect", "-f", $"{{{{(index .NetworkSettings.Networks \"{net}\").DriverOpts}}}}", c));
        Assert.Equal("map[]", await OkAsync("inspect", "-f", "{{.NetworkSettings.Networks.bridge.DriverOpts}}", c));
        Assert.Equal("1", await OkAsync("exec", c, "sh", "-c", "ip -o -4 addr | grep -c eth1"));

        // Kept with the container's settings: still there after a restart of the container.
        await OkAsync("restart", "-t", "0", c);
        Assert.Equal("map[com.example.x:1 foo:bar]", await OkAsync("inspect", "-f", $"{{{{(index .NetworkSettings.Networks \"{net}\").DriverOpts}}}}", c));
        await OkAsync("rm", "-f", c);
        await OkAsync("network", "rm", net);
    }

    [Fact]
    public async Task Two_containers_with_one_alias_are_both_returned_in_rotating_order()
    {
        var net = Unique("rr");
        await OkAsync("network", "create", net);
        var a = Unique("rra");
        var b = Unique("rrb");
        await OkAsync("run", "-d", "--name", a, "--network", net, "--network-alias", "pool", "busybox", "sleep", "600");
        await OkAsync("run", "-d", "--name", b, "--network", net, "--network-alias", "pool", "busybox", "sleep", "600");
        var ipA = await OkAsync("inspect", "-f", $"{{{{(index .NetworkSettings.Networks \"{net}\").IPAddress}}}}", a);
        var ipB = await OkAsync("inspect", "-f", $"{{{{(index .NetworkSettings.Networks \"{net}\").IPAddress}}}}", b);
        var lookups = await OkAsync("run", "--rm", "--network", net, "busybox", "sh", "-c", "for i in 1 2 3 4; do nslookup -type=a pool | grep '^Address: ' | head -1; done");
        Assert.Contains(ipA, lookups, StringComparison.Ordinal);
        Assert.Contains(ipB, lookups, StringComparison.Ordinal);
        await OkAsync("rm", "-f", a, b);
        await OkAsync("network", "rm", net);
    }

    [Fact]
    public async Task Published_ports_reach_the_container_from_the_host_and_by_hairpin_and_are_released()
    {
        var web = Unique("web");
        // busybox has no UDP server: the host's python3 (read-only, chrooted) echoes datagrams inside the container's namespace.
        await OkAsync("run", "-d", "--name", web, "-v", "/:/host:ro", "-p", "127.0.0.1:18080:80", "-p", "18081:80", "-p", "19053:9053/udp", "busybox", "sh", "-c", "echo served > /tmp/index.html; httpd -p 80 -h /tmp; exec chroot /host /usr/bin/python3 -c \"$0\"", UdpEcho);
        Assert.Equal("served\n", await HttpGetFromHostAsync("http://127.0.0.1:18080/index.html"));
        Assert.Equal("served\n", await HttpGetFromHostAsync("http://172.17.0.1:18081/index.html"));
        var ports = await OkAsync("port", web);
        Assert.Contains("80/tcp -> 127.0.0.1:18080", ports, StringComparison.Ordinal);
        Assert.Contains("9053/udp -> 0.0.0.0:19053", ports, StringComparison.Ordinal);
        Assert.Contains("127.0.0.1:18080->80/tcp", await OkAsync("ps", "--filter", $"name={web}", "--format", "{{.Ports}}"), StringComparison.Ordinal);
        Assert.Equal(web, await OkAsync("ps", "--filter", "publish=80", "--format", "{{.Names}}"));

        // UDP from the host reaches the container and the answer comes back.
        var udp = await HostAsync("/usr/bin/python3", "-c", UdpClient);
        Assert.True(udp.ExitCode == 0, udp.ToString());
        Assert.Equal("echo:datagram", udp.Out);

        // Hairpin: another container through the host's address and the published port.
        var hairpin = await OkAsync("run", "--rm", "busybox", "wget", "-qO-", "http://172.17.0.1:18081/index.html");
        Assert.Equal("served", hairpin);

        // The same host port cannot be taken twice.
        var taken = await _d.DockerAsync("run", "-d", "-p", "127.0.0.1:18080:80", "busybox", "sleep", "600");
        Assert.NotEqual(0, taken.ExitCode);
        Assert.Contains("port is already allocated", taken.Stderr, StringComparison.Ordinal);

        var netns = (await OkAsync("inspect", "-f", "{{.NetworkSettings.SandboxKey}}", web)).Trim();
        Assert.True(File.Exists(netns), netns);
        await OkAsync("rm", "-f", web);
        var rules = await HostAsync("nft", "list", "table", "ip", "berth");
        Assert.DoesNotContain("18080", rules.Stdout, StringComparison.Ordinal);
        Assert.DoesNotContain("19053", rules.Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(netns), netns);
        var fail = await _d.DockerAsync("run", "-d", "--name", Unique("reuse"), "-p", "127.0.0.1:18080:80", "busybox", "sleep", "1");
        Assert.True(fail.ExitCode == 0, fail.ToString());
    }

    [Fact]
    public async Task Nothing_leaks_after_rm_f_or_a_killed_daemon()
    {
        var before = await VethsAsync();
        var names = new[] { Unique("leak"), Unique("leak") };
        foreach (var n in names)
        {
            await OkAsync("run", "-d", "--name", n, "-p", "127.0.0.1::80", "busybox", "sleep", "600");
        }

        Assert.Equal(before.Count + 2, (await VethsAsync()).Count);
        await OkAsync("rm", "-f", names[0]);
        Assert.Equal(before.Count + 1, await VethCountOnceSettledAsync(before.Count + 1));

        // The second container dies while the daemon is down: its network is released at the next start.
        var pid = await OkAsync("inspect", "-f", "{{.State.Pid}}", names[1]);
        var hostPort = await OkAsync("inspect", "-f", "{{(index (index .NetworkSettings.Ports \"80/tcp\") 0).HostPort}}", names[1]);
        var netns = await OkAsync("inspect", "-f", "{{.NetworkSettings.SandboxKey}}", names[1]);
        await _d.KillAsync();
        await Shell.RunAsync("kill", ["-KILL", pid]);
        await Until.GoneAsync(pid);
        await _d.RestartAsync();
        await Until.TrueAsync(async () => await OkAsync("inspect", "-f", "{{.State.Running}}", names[1]) != "true", "the killed container to be seen stopped");

        Assert.Equal("exited 137", await OkAsync("inspect", "-f", "{{.State.Status}} {{.State.ExitCode}}", names[1]));
        Assert.Equal(before.Count, await VethCountOnceSettledAsync(before.Count));
        Assert.DoesNotContain($"{hostPort} : ", (await HostAsync("nft", "list", "table", "ip", "berth")).Stdout, StringComparison.Ordinal);
        Assert.False(File.Exists(netns), netns);
        Assert.Equal(string.Empty, await OkAsync("inspect", "-f", "{{.NetworkSettings.Networks.bridge.IPAddress}}", names[1]));
        await OkAsync("start", names[1]);
        Assert.Matches(@"^172\.17\.", await OkAsync("inspect", "-f", "{{.NetworkSettings.IPAddress}}", names[1]));
        await OkAsync("rm", "-f", names[1]);
        Assert.Equal(before.Count, await VethCountOnceSettledAsync(before.Count));
    }

    [Fact]
    public async Task Container_mode_shares_the_namespace_and_none_has_only_loopback()
    {
        var owner = Unique("owner");
        await OkAsync("run", "-d", "--name", owner, "busybox", "sleep", "600");
        var ownerIp = await OkAsync("inspect", "-f", "{{.NetworkSettings.IPAddress}}", owner);
        var shared = await OkAsync("run", "--rm", "--network", $"container:{owner}", "busybox", "ip", "-4", "-o", "addr", "show", "eth0");
        Assert.Contains($"inet {ownerIp}/", shared, StringComparison.Ordinal);
        var none = await OkAsync("run", "--rm", "--network", "none", "busybox", "ip", "-o", "link");
        Assert.Single(none.Split('\n'));
        Assert.Contains("lo:", none, StringComparison.Ordinal);
        // As Docker: the missing network is found missing at start (a 404 from create would make the CLI try to pull the image).
        var missing = await _d.DockerAsync("run", "--rm", "--network", "nosuchnet", "busybox", "true");
        Assert.NotEqual(0, missing.ExitCode);
        Assert.Contains("network nosuchnet not found", missing.Stderr, StringComparison.Ordinal);
        var mac = await OkAsync("run", "--rm", "--mac-address", "02:42:ac:11:99:99", "busybox", "cat", "/sys/class/net/eth0/address");
        Assert.Equal("02:42:ac:11:99:99", mac);
        var fixedNet = Unique("fixed");
        await OkAsync("network", "create", "--subnet", "10.231.0.0/24", fixedNet);
        Assert.Contains("inet 10.231.0.77/24", await OkAsync("run", "--rm", "--network", fixedNet, "--ip", "10.231.0.77", "busybox", "ip", "-4", "-o", "addr", "show", "eth0"), StringComparison.Ordinal);
        await OkAsync("rm", "-f", owner);
        await OkAsync("network", "rm", fixedNet);
    }

    [Fact]
    public async Task Macvlan_containers_on_a_veth_parent_reach_each_other()
    {
        // This kernel has no dummy links: a veth pair inside the daemon's namespace is the parent.
        var parent = "mv" + Guid.NewGuid().ToString("N")[..6];
        var veth = await HostAsync("ip", "link", "add", parent, "type", "veth", "peer", "name", parent + "p");
        Assert.True(veth.ExitCode == 0, veth.ToString());
        await HostAsync("ip", "link", "set", parent, "up");
        await HostAsync("ip", "link", "set", parent + "p", "up");
        var net = Unique("mac");
        await OkAsync("network", "create", "-d", "macvlan", "--subnet", "10.232.0.0/24", "--gateway", "10.232.0.1", "-o", $"parent={parent}", net);
        var one = Unique("mac1");
        await OkAsync("run", "-d", "--name", one, "--network", net, "busybox", "sleep", "600");
        var ip = await OkAsync("inspect", "-f", $"{{{{(index .NetworkSettings.Networks \"{net}\").IPAddress}}}}", one);
        Assert.StartsWith("10.232.0.", ip, StringComparison.Ordinal);
        var other = await OkAsync("run", "--rm", "--network", net, "busybox", "sh", "-c", $"ping -c 1 -W 2 {ip} >/dev/null && cat /sys/class/net/eth0/address");
        Assert.NotEqual(await OkAsync("exec", one, "cat", "/sys/class/net/eth0/address"), other);
        var ipvlanName = Unique("ipv");
        var ipvlan = await _d.DockerAsync("network", "create", "-d", "ipvlan", "-o", $"parent={parent}", ipvlanName);
        if (ipvlan.ExitCode == 0)
        {
            await OkAsync("network", "rm", ipvlanName);
        }
        else
        {
            Assert.Contains("ipvlan", ipvlan.Stderr, StringComparison.Ordinal); // this kernel may lack it: the error says so
        }

        await OkAsync("rm", "-f", one);
        await OkAsync("network", "rm", net);
        await HostAsync("ip", "link", "del", parent);
    }

    private const string UdpEcho = """
        import socket
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("0.0.0.0", 9053))
        while True:
            d, a = s.recvfrom(100)
            s.sendto(b"echo:" + d, a)
        """;

    private const string UdpClient = """
        import socket
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(0.5)
        for _ in range(20):
            s.sendto(b"datagram", ("127.0.0.1", 19053))
            try:
                print(s.recvfrom(100)[0].decode())
                break
            except TimeoutError:
                pass
        """;

    /// <summary>
    /// The veth count, once it has come down to <paramref name="expected"/> or 5 s have passed:
    /// berthd drops a container's namespace and the kernel deletes both veth ends in its
    /// background namespace clean-up, which under load lags the answer to rm by some milliseconds.
    /// </summary>
    private async Task<int> VethCountOnceSettledAsync(int expected)
    {
        // The kernel removes a namespace's veths in the background; 2 minutes only guard against a hang.
        var deadline = DateTime.UtcNow + Until.HangGuard;
        int count;
        while ((count = (await VethsAsync()).Count) > expected && DateTime.UtcNow < deadline)
        {
            await Task.Delay(50);
        }

        return count;
    }

    private async Task<List<string>> VethsAsync()
    {
        var r = await HostAsync("ip", "-o", "link", "show", "type", "veth");
        Assert.True(r.ExitCode == 0, r.ToString());
        return [.. r.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries)];
    }
}
