using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Berth.Networking;
using Berth.Networking.Dns;
using Berth.Networking.Model;
using Berth.Platform.Net;
using Xunit.Abstractions;

namespace Berth.Tests.Integration.Networking;

/// <summary>Set-up cost of a container's network and embedded DNS throughput, printed and bounded loosely.</summary>
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
        using var socket = await thread.RunInAsync(a.NetnsPath!, () =>
        {
            var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            s.Connect(new IPEndPoint(IPAddress.Parse("127.0.0.11"), 53));
            return s;
        });
        socket.ReceiveTimeout = 2000;
        var query = DnsWire.BuildQuery(0x1234, "server", DnsWire.TypeA);
        var buf = new byte[512];
        for (var i = 0; i < 1000; i++)
        {
            socket.Send(query);
            socket.Receive(buf);
        }

        const int n = 20000;
        var sw = Stopwatch.StartNew();
        for (var i = 0; i < n; i++)
        {
            socket.Send(query);
            var len = socket.Receive(buf);
            if (i == 0)
            {
                Assert.Equal([Berth.Networking.Ipam.Ipv4.Parse("172.18.0.3")], DnsWire.ReadARecords(buf.AsSpan(0, len), out _, out _));
            }
        }

        var perSecond = n / sw.Elapsed.TotalSeconds;
        output.WriteLine($"embedded DNS: {perSecond:F0} sequential queries/s, {sw.Elapsed.TotalMicroseconds / n:F1} µs round trip");
        Assert.True(perSecond > 2000, $"{perSecond:F0} queries/s");
    }
}
