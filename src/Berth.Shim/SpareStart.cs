using Berth.Platform.Native;
using Berth.Platform.Processes;
using Berth.Platform.Sockets;
using Berth.Runtime.Monitor;

namespace Berth.Shim;

/// <summary>
/// "berth-shim spare": started ahead of need by berthd (see ShimLauncher), at idle priority. Waits
/// on its socket for the arguments and stdio of a real start, puts the descriptors in place and
/// returns the arguments (also shown as its command line from then on); null when the daemon closed the socket instead.
/// </summary>
internal static class SpareStart
{
    public static string[]? WaitForWork()
    {
        var message = new byte[64 * 1024];
        Span<int> received = stackalloc int[DescriptorChannel.MaxDescriptors];
        int length, count;
        try
        {
            length = DescriptorChannel.Receive(SpareProtocol.ChannelFd, message, received, out count);
        }
        catch (Exception e) when (e is ErrnoException or IOException)
        {
            return null;
        }

        if (length == 0)
        {
            return null;
        }

        Scheduling.MakeCurrentProcessNormal();
        PlaceDescriptors(received[..count]);
        var args = SpareProtocol.DecodeArguments(message.AsSpan(0, length));

        // ps shows what this monitor does, as for one started for it ("berth-shim run <dir>").
        _ = ProcessTitle.TrySet([Environment.GetCommandLineArgs()[0], .. args]);
        return args;
    }

    /// <summary>
    /// Descriptor i of the message becomes descriptor i of this process, as a spawn would map it;
    /// the placeholders left over and the channel are closed.
    /// </summary>
    private static void PlaceDescriptors(ReadOnlySpan<int> fds)
    {
        for (var i = 0; i < fds.Length; i++)
        {
            // The received descriptors are numbered above the channel, so none is a target.
            if (Libc.dup2(fds[i], i) < 0)
            {
                throw ErrnoException.Last("dup2");
            }

            _ = Libc.close(fds[i]);
        }

        for (var i = fds.Length; i <= SpareProtocol.ChannelFd; i++)
        {
            _ = Libc.close(i);
        }
    }
}
