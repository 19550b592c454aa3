using Berth.Api.Streams;

namespace Berth.Tests.Unit.Api;

public sealed class StdCopyTests
{
    [Fact]
    public async Task Frames_round_trip_to_the_right_streams()
    {
        using var wire = new MemoryStream();
        await StdCopy.WriteFrameAsync(wire, StdStream.Stdout, "out1\n"u8.ToArray(), CancellationToken.None);
        await StdCopy.WriteFrameAsync(wire, StdStream.Stderr, "err\n"u8.ToArray(), CancellationToken.None);
        await StdCopy.WriteFrameAsync(wire, StdStream.Stdout, "out2\n"u8.ToArray(), CancellationToken.None);

        var bytes = wire.ToArray();
        Assert.Equal(new byte[] { 1, 0, 0, 0, 0, 0, 0, 5 }, bytes[..8]);

        wire.Position = 0;
        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        await StdCopy.DemultiplexAsync(wire, stdout, stderr, CancellationToken.None);
        Assert.Equal("out1\nout2\n", System.Text.Encoding.UTF8.GetString(stdout.ToArray()));
        Assert.Equal("err\n", System.Text.Encoding.UTF8.GetString(stderr.ToArray()));
    }

    [Fact]
    public async Task A_system_error_frame_surfaces_as_an_exception()
    {
        using var wire = new MemoryStream();
        await StdCopy.WriteFrameAsync(wire, StdStream.SystemErr, "boom"u8.ToArray(), CancellationToken.None);
        wire.Position = 0;
        var e = await Assert.ThrowsAsync<IOException>(() => StdCopy.DemultiplexAsync(wire, Stream.Null, Stream.Null, CancellationToken.None));
        Assert.Equal("boom", e.Message);
    }

    [Fact]
    public async Task A_truncated_header_is_an_error_not_a_silent_end()
    {
        using var wire = new MemoryStream([1, 0, 0]);
        await Assert.ThrowsAsync<EndOfStreamException>(() => StdCopy.DemultiplexAsync(wire, Stream.Null, Stream.Null, CancellationToken.None));
    }
}
