using System.Net;
using System.Net.Sockets;
using Berth.Platform.Net;

namespace Berth.Tests.Unit.Platform;

public sealed class DatagramPollerTests
{
    [Fact]
    public void After_a_wake_up_the_poller_idles_and_still_serves()
    {
        var name = "dgp" + Environment.ProcessId % 100000;
        using var first = Bound();
        using var second = Bound();

        // Declared after the sockets so it is disposed first: a Socket disposed while the poller
        // still holds its handle waits for the handle to be released.
        using var poller = new DatagramPoller(name);
        var received = new System.Collections.Concurrent.BlockingCollection<string>();
        poller.Remove(poller.Add(first, "first", (_, _, _) => { }));
        poller.Add(second, "second", (state, data, _) => received.Add($"{state}:{System.Text.Encoding.ASCII.GetString(data)}"));

        Thread.Sleep(200);
        var before = CpuTicks(name);
        Thread.Sleep(1000);
        Assert.True(CpuTicks(name) - before <= 5, "the poller thread keeps running after a wake-up (busy loop)");

        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        client.SendTo("hello"u8.ToArray(), second.LocalEndPoint!);
        Assert.True(received.TryTake(out var got, TimeSpan.FromSeconds(5)));
        Assert.Equal("second:hello", got);
    }

    private static Socket Bound()
    {
        var s = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        s.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return s;
    }

    /// <summary>utime + stime (clock ticks) of this process's thread with the given name.</summary>
    private static long CpuTicks(string threadName)
    {
        foreach (var task in Directory.EnumerateDirectories("/proc/self/task"))
        {
            if (File.ReadAllText(Path.Combine(task, "comm")).Trim() == threadName)
            {
                var stat = File.ReadAllText(Path.Combine(task, "stat"));
                var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                return long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        throw new InvalidOperationException($"no thread named {threadName}");
    }
}
