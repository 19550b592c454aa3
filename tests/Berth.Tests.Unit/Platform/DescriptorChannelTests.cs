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
}
