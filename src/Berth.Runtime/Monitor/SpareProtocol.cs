using System.Text;
using Berth.Platform.Sockets;

namespace Berth.Runtime.Monitor;

/// <summary>
/// How berthd hands a spare berth-shim its work (see ShimLauncher): one SOCK_SEQPACKET message on
/// the spare's descriptor <see cref="ChannelFd"/>, carrying the arguments, each NUL-terminated,
/// and as SCM_RIGHTS the descriptors the spare must have as 0, 1, 2... End-of-file instead means:
/// exit. A spare starts with /dev/null on every number below the channel: those placeholders
/// keep the numbers the work's descriptors will take, so nothing the shim's own runtime opens
/// while it waits (it keeps /dev/urandom open, for one) lands there and is replaced under it.
/// </summary>
public static class SpareProtocol
{
    public const int ChannelFd = DescriptorChannel.MaxDescriptors;

    public static byte[] EncodeArguments(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var buffer = new List<byte>();
        foreach (var a in args)
        {
            if (a.Contains('\0', StringComparison.Ordinal))
            {
                throw new ArgumentException("an argument contains a NUL byte", nameof(args));
            }

            buffer.AddRange(Encoding.UTF8.GetBytes(a));
            buffer.Add(0);
        }

        return [.. buffer];
    }

    public static string[] DecodeArguments(ReadOnlySpan<byte> message)
    {
        var args = new List<string>();
        while (!message.IsEmpty)
        {
            var end = message.IndexOf((byte)0);
            if (end < 0)
            {
                end = message.Length;
            }

            args.Add(Encoding.UTF8.GetString(message[..end]));
            message = end < message.Length ? message[(end + 1)..] : [];
        }

        return [.. args];
    }
}
