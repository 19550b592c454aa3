using System.Net.Sockets;
using Berth.Platform.Native;
using Berth.Platform.Sockets;

namespace Berth.Tests.Unit.Platform;

public sealed class DescriptorChannelTests
{
    [Fact]
    public void A_message_carries_bytes_and_working_descriptors()
    {
        var (a, b) = DescriptorChannel.CreatePair();
        var (pipeRead, pipeWrite) = Fd.Pipe();
        try
        {
            DescriptorChannel.Send(a, "hello"u8, [pipeWrite, pipeRead]);

            var buffer = new byte[64];
            Span<int> fds = stackalloc int[DescriptorChannel.MaxDescriptors];
            var n = DescriptorChannel.Receive(b, buffer, fds, out var count);
            Assert.Equal("hello", System.Text.Encoding.ASCII.GetString(buffer, 0, n));
            Assert.Equal(2, count);
            Assert.NotEqual(pipeWrite, fds[0]);

            // The received write end writes into the same pipe.
            Fd.WriteAll(fds[0], "through"u8);
            var got = new byte[16];
            var read = Fd.Read(pipeRead, got);
            Assert.Equal("through", System.Text.Encoding.ASCII.GetString(got, 0, read));
            Fd.Close(fds[0]);
            Fd.Close(fds[1]);
        }
        finally
        {
            Fd.Close(a);
            Fd.Close(b);
            Fd.Close(pipeRead);
            Fd.Close(pipeWrite);
        }
    }

    [Fact]
    public void Messages_keep_their_boundaries_and_a_closed_peer_reads_as_zero()
    {
        var (a, b) = DescriptorChannel.CreatePair();
        try
        {
            DescriptorChannel.Send(a, "one"u8, []);
            DescriptorChannel.Send(a, "two"u8, []);
            Fd.Close(a);
            a = -1;

            var buffer = new byte[64];
            var fds = new int[DescriptorChannel.MaxDescriptors];
            Assert.Equal(3, DescriptorChannel.Receive(b, buffer, fds, out var count));
            Assert.Equal(0, count);
            Assert.Equal(3, DescriptorChannel.Receive(b, buffer, fds, out _));
            Assert.Equal("two", System.Text.Encoding.ASCII.GetString(buffer, 0, 3));
            Assert.Equal(0, DescriptorChannel.Receive(b, buffer, fds, out _));
        }
        finally
        {
            Fd.Close(a);
            Fd.Close(b);
        }
    }

    [Fact]
    public void Sending_to_a_closed_peer_fails_without_a_signal()
    {
        var (a, b) = DescriptorChannel.CreatePair();
        Fd.Close(b);
        try
        {
            var e = Assert.Throws<ErrnoException>(() => DescriptorChannel.Send(a, "x"u8, []));
            Assert.Contains("sendmsg", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Fd.Close(a);
        }
    }

    [Fact]
    public async Task A_console_socket_keeps_the_first_descriptor_of_what_runc_sends_and_closes_the_rest()
    {
        var path = Path.Combine(Path.GetTempPath(), "cs-" + Guid.NewGuid().ToString("N")[..8]);
        using var console = ConsoleSocket.Listen(path);
        var (pipeRead, pipeWrite) = Fd.Pipe();
        var (otherRead, otherWrite) = Fd.Pipe();
        try
        {
            // runc connects to a stream socket and sends the terminal's name with the pty.
            var sender = Task.Run(() =>
            {
                using var client = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                client.Connect(new UnixDomainSocketEndPoint(path));
                DescriptorChannel.Send((int)client.Handle, "/dev/pts/7"u8, [pipeWrite, otherWrite]);
            });
            var received = console.ReceiveFd();
            await sender;

            Fd.WriteAll(received, "pty"u8);
            Fd.Close(received);
            Fd.Close(pipeWrite);
            pipeWrite = -1;
            var got = new byte[8];
            Assert.Equal("pty", System.Text.Encoding.ASCII.GetString(got, 0, Fd.Read(pipeRead, got)));

            // The second descriptor was closed on receipt: with ours gone, the reader sees end-of-file.
            Fd.Close(otherWrite);
            otherWrite = -1;
            Assert.True(Fd.HasInput(otherRead), "a received copy of the second descriptor is still open");
            Assert.Equal(0, Fd.Read(otherRead, got));
        }
        finally
        {
            Fd.Close(pipeRead);
            Fd.Close(pipeWrite);
            Fd.Close(otherRead);
            Fd.Close(otherWrite);
        }
    }
}
