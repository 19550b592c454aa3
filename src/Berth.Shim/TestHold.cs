using System.Net.Sockets;

namespace Berth.Shim;

/// <summary>
/// Test-only pause points in the monitor's start, for crash tests that must kill berthd while a
/// monitor is at an exact step (a kill from outside could only hit it by luck). With
/// BERTH_TEST_HOLD_MONITOR=&lt;point&gt; in the environment berthd started the monitor with, the
/// monitor stops at that point, listens on its socket's path with <c>.held</c> appended (the
/// short socket directory: the state directory's path is too long for a socket) and goes on
/// when a client connects. Points: <c>before-runtime</c> (the lock is held, runc not started
/// yet), <c>before-socket</c> (runc has started the container; the monitor's socket is not open
/// yet). Unset (every real deployment), a point costs one comparison.
/// </summary>
internal static class TestHold
{
    public const string Variable = "BERTH_TEST_HOLD_MONITOR";

    public static void At(string point, string socketPath)
    {
        if (!string.Equals(Environment.GetEnvironmentVariable(Variable), point, StringComparison.Ordinal))
        {
            return;
        }

        var path = socketPath + ".held";
        using (var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified))
        {
            listener.Bind(new UnixDomainSocketEndPoint(path));
            listener.Listen(1);
            using var release = listener.Accept();
        }

        File.Delete(path);
    }
}
