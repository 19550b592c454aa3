using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Berth.Networking;
using Berth.Networking.Dns;
using Berth.Networking.Model;
using Berth.Platform.Net;
using Berth.Tests.Integration.Harness;
using Xunit.Abstractions;

namespace Berth.Tests.Integration.Networking;

/// <summary>
/// Set-up cost of a container's network and embedded DNS throughput, printed and bounded loosely:
/// benchmarks outside the test gate (Category=Timing: scripts/bench-timing.sh).
/// </summary>
[Collection(TimingCollection.Name)]
[Trait("Category", TimingCollection.Category)]
public sealed class NetworkPerformanceTests(ITestOutputHelper output) : IAsyncLifetime
{
    private ServiceHost _h = null!;

    public async Task InitializeAsync() => _h = await ServiceHost.StartAsync();

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Attach_costs_a_few_milliseconds_over_a_bare_namespace()
    {
        await _h.Service.CreateNetworkAsync(new NetworkCreateSpec { Name = "perf" }, CancellationToken.None);
        const int n = 30;
        var ids = Enumerable.Range(0, n).Select(_ => Berth.Core.Ids.IdGenerator.NewId()).ToList();

        // Baseline: what --network none costs us (nothing) vs. what the runtime pays anyway: a new namespace.
        using var thread = new NamespaceThread("perf", _h.Host.Path);
        var bare = Stopwatch.StartNew();
        for (var i = 0; i < n; i++)
        {
            var path = Path.Combine(_h.Dir, "bare", i.ToString(System.Globalization.CultureInfo.InvariantCulture));
            await thread.RunInNewAsync(path, () => 0);
            await thread.RunAsync(() => { NetNamespace.RemoveBound(path); return 0; });
        }

        var bareMs = bare.Elapsed.TotalMilliseconds / n;

        var times = new List<double>();
        foreach (var (id, i) in ids.Select((id, i) => (id, i)))
        {
            var sw = Stopwatch.StartNew();
            await _h.Service.AttachAsync(new ContainerNetworkRequest { ContainerId = id, ContainerName = $"c{i}", NetworkMode = "perf" }, CancellationToken.None);
            times.Add(sw.Elapsed.TotalMilliseconds);
        }

        var detach = Stopwatch.StartNew();
        foreach (var id in ids)
        {
            await _h.Service.DetachAsync(id, CancellationToken.None);
        }

        var detachMs = detach.Elapsed.TotalMilliseconds / n;
        times.Sort();
        var median = times[n / 2];
        output.WriteLine($"bare netns create+remove: {bareMs:F2} ms; attach (user network, DNS): median {median:F2} ms, p90 {times[(int)(n * 0.9)]:F2} ms; detach {detachMs:F2} ms");
        Assert.True(median - bareMs < 15, $"attach median {median:F2} ms over a bare namespace's {bareMs:F2} ms");
    }

    [Fact]
    public async Task Embedded_dns_answers_tens_of_thousands_of_queries_per_second()
    {
        await _h.Service.CreateNetworkAsync(new NetworkCreateSpec { Name = "dnsperf" }, CancellationToken.None);
        var a = await _h.Service.AttachAsync(new ContainerNetworkRequest { ContainerId = Berth.Core.Ids.IdGenerator.NewId(), ContainerName = "client", NetworkMode = "dnsperf" }, CancellationToken.None);
        await _h.Service.AttachAsync(new ContainerNetworkRequest { ContainerId = Berth.Core.Ids.IdGenerator.NewId(), ContainerName = "server", NetworkMode = "dnsperf" }, CancellationToken.None);
        using var thread = new NamespaceThread("perf-client");
        var (perSecond, ips) = await MeasureAsync(thread, a.NetnsPath!, "server");
        Assert.Equal(["172.18.0.3"], ips);
        output.WriteLine($"embedded DNS: {perSecond:F0} sequential queries/s, {1e6 / perSecond:F1} µs round trip");

        // The same client against a reference dockerd's embedded DNS: BERTH_DNS_REF="<sandbox key> <container name>".
        if (Environment.GetEnvironmentVariable("BERTH_DNS_REF")?.Split(' ') is [var refNetns, var refName])
        {
            var (refPerSecond, _) = await MeasureAsync(thread, refNetns, refName);
            output.WriteLine($"reference DNS: {refPerSecond:F0} sequential queries/s, {1e6 / refPerSecond:F1} µs round trip; ratio {perSecond / refPerSecond:F2}");
        }

        Assert.True(perSecond > 2000, $"{perSecond:F0} queries/s");
    }

    [Fact]
    public async Task Busybox_nslookup_loop_like_the_benchmark()
    {
        await _h.Service.CreateNetworkAsync(new NetworkCreateSpec { Name = "bench" }, CancellationToken.None);
        var a = await _h.Service.AttachAsync(new ContainerNetworkRequest { ContainerId = Berth.Core.Ids.IdGenerator.NewId(), ContainerName = "b1", NetworkMode = "bench", Dns = ["127.0.0.1"] }, CancellationToken.None);
        await _h.Service.AttachAsync(new ContainerNetworkRequest { ContainerId = Berth.Core.Ids.IdGenerator.NewId(), ContainerName = "b2", NetworkMode = "bench" }, CancellationToken.None);
        static string Loop(string name) => "a=$(cat /proc/uptime); i=0; while [ $i -lt 200 ]; do busybox nslookup " + name + " 127.0.0.11 >/dev/null || exit 1; i=$((i+1)); done; b=$(cat /proc/uptime); echo \"$a $b\"";
        static double Rate(CommandResult r)
        {
            Assert.True(r.ExitCode == 0, r.ToString());
            var f = r.Out.Split(' ');
            return 200 / (double.Parse(f[2], System.Globalization.CultureInfo.InvariantCulture) - double.Parse(f[0], System.Globalization.CultureInfo.InvariantCulture));
        }

        // For an A/B against a reference dockerd: BERTH_DNS_REF="<sandbox key of a container> <name of another container>".
        var reference = Environment.GetEnvironmentVariable("BERTH_DNS_REF")?.Split(' ');
        var rates = new List<double>();
        var refRates = new List<double>();
        for (var run = 0; run < (reference is null ? 3 : 6); run++)
        {
            rates.Add(Rate(await ServiceHost.InContainerAsync(a.NetnsPath!, "busybox", "sh", "-c", Loop("b2"))));
            if (reference is not null)
            {
                refRates.Add(Rate(await ServiceHost.InContainerAsync(reference[0], "busybox", "sh", "-c", Loop(reference[1]))));
            }
        }

        if (reference is not null)
        {
            output.WriteLine($"reference nslookup loop: {string.Join(", ", refRates.Select(r => r.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))} lookups/s");
            output.WriteLine($"berth/reference per-pair ratios: {string.Join(", ", rates.Zip(refRates, (x, y) => (x / y).ToString("F2", System.Globalization.CultureInfo.InvariantCulture)))}");
        }

        output.WriteLine($"busybox nslookup loop: {string.Join(", ", rates.Select(r => r.ToString("F0", System.Globalization.CultureInfo.InvariantCulture)))} lookups/s");
        Assert.True(rates.Max() > 100, string.Join(", ", rates));
    }

    private static async Task<(double PerSecond, string[] Ips)> MeasureAsync(NamespaceThread thread, string netns, string name)
    {
        using var socket = await thread.RunInAsync(netns, () =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Connect(new IPEndPoint(IPAddress.Parse("127.0.0.11"), 53));
            return s;
        });
        socket.ReceiveTimeout = 2000;
        var query = DnsWire.BuildQuery(0x1234, name, DnsWire.TypeA);
        var buf = new byte[512];
        var len = 0;
        for (var i = 0; i < 1000; i++)
        {
            socket.Send(query);
            len = socket.Receive(buf);
        }

        var ips = DnsWire.ReadARecords(buf.AsSpan(0, len), out _, out _).Select(Berth.Networking.Ipam.Ipv4.Format).ToArray();
        const int n = 20000;
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < n; i++)
        {
            socket.Send(query);
            socket.Receive(buf);
        }

        return (n / sw.Elapsed.TotalSeconds, ips);
    }
}
