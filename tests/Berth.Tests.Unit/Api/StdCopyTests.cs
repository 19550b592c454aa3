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

    [Fact]
    public async Task Frames_split_anywhere_by_the_transport_and_large_ones_arrive_whole_and_in_order()
    {
        using var wire = new MemoryStream();
        var expectedOut = new System.Text.StringBuilder();
        var expectedErr = new System.Text.StringBuilder();
        for (var i = 0; i < 3000; i++)
        {
            var line = new string((char)('a' + (i % 26)), (i * 37) % 1500) + "\n";
            var toErr = i % 7 == 0;
            await StdCopy.WriteFrameAsync(wire, toErr ? StdStream.Stderr : StdStream.Stdout, System.Text.Encoding.ASCII.GetBytes(line), CancellationToken.None);
            (toErr ? expectedErr : expectedOut).Append(line);
        }

        var big = new string('z', 300_000) + "\n"; // larger than any internal buffer
        await StdCopy.WriteFrameAsync(wire, StdStream.Stdout, System.Text.Encoding.ASCII.GetBytes(big), CancellationToken.None);
        expectedOut.Append(big);

        using var stdout = new MemoryStream();
        using var stderr = new MemoryStream();
        await StdCopy.DemultiplexAsync(new Trickle(wire.ToArray()), stdout, stderr, CancellationToken.None);
        Assert.Equal(expectedOut.ToString(), System.Text.Encoding.ASCII.GetString(stdout.ToArray()));
        Assert.Equal(expectedErr.ToString(), System.Text.Encoding.ASCII.GetString(stderr.ToArray()));
    }

    [Fact]
    public async Task A_truncated_payload_is_an_error()
    {
        using var wire = new MemoryStream([1, 0, 0, 0, 0, 0, 0, 9, 65, 66]);
        await Assert.ThrowsAsync<EndOfStreamException>(() => StdCopy.DemultiplexAsync(wire, Stream.Null, Stream.Null, CancellationToken.None));
    }

    /// <summary>A transport that hands out data in uneven small pieces.</summary>
    private sealed class Trickle(byte[] data) : Stream
    {
        private int _position;
        private int _turn;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => data.Length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(Math.Min(count, 1 + (_turn++ * 7919 % 5000)), data.Length - _position);
            Array.Copy(data, _position, buffer, offset, n);
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
