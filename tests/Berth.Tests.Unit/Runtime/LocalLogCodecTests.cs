using System.Text;
using Berth.Runtime;
using Berth.Runtime.Logging;

namespace Berth.Tests.Unit.Runtime;

/// <summary>The local driver's record: protobuf LogEntry framed by big-endian lengths, byte for byte as dockerd writes it.</summary>
public sealed class LocalLogCodecTests
{
    private static byte[] Encode(OutputStream stream, string line, long nanos, PartialLogMetadata? partial = null)
    {
        var bytes = Encoding.UTF8.GetBytes(line);
        var dest = new byte[LocalLogCodec.MaxEncodedLength(bytes.Length)];
        return dest[..LocalLogCodec.Encode(dest, stream, bytes, nanos, partial)];
    }

    [Fact]
    public void Encode_WritesGogoProtobufFieldsInOrder_BetweenTwoLengths()
    {
        // source=1 "stdout", time_nano=2 varint 300, line=3 "hi".
        byte[] expected = [0, 0, 0, 15, 0x0a, 6, .. "stdout"u8, 0x10, 0xac, 0x02, 0x1a, 2, (byte)'h', (byte)'i', 0, 0, 0, 15];
        Assert.Equal(expected, Encode(OutputStream.Stdout, "hi", 300));
    }

    [Fact]
    public void Encode_MatchesARecordWrittenByDockerd2010()
    {
        // The first record of container.log.1.gz written by the reference dockerd 20.10 for
        // `echo "line 59"` (its time from that record).
        var dockerd = Convert.FromHexString("0000001b0a067374646f757410b8a5b3b8f9bac9f7181a076c696e652035390000001b");
        var line = "line 59\n"u8;
        var dest = new byte[LocalLogFormat.Instance.MaxEncodedLength(line.Length)];
        var n = LocalLogFormat.Instance.Encode(dest, OutputStream.Stdout, line, 1796696384226513592, null);
        Assert.Equal(dockerd, dest[..n]);
    }

    [Fact]
    public void Encode_LeavesDefaultsOut_AndWritesPartialMetadata()
    {
        // An empty line and time 0 are proto3 defaults: not written.
        Assert.Equal([0, 0, 0, 8, 0x0a, 6, .. "stderr"u8, 0, 0, 0, 8], Encode(OutputStream.Stderr, string.Empty, 0));

        var partial = Encode(OutputStream.Stdout, "x", 1, new PartialLogMetadata(true, "ab", 2));
        byte[] message = [0x0a, 6, .. "stdout"u8, 0x10, 1, 0x1a, 1, (byte)'x', 0x20, 1, 0x2a, 8, 0x08, 1, 0x12, 2, (byte)'a', (byte)'b', 0x18, 2];
        Assert.Equal([0, 0, 0, (byte)message.Length, .. message, 0, 0, 0, (byte)message.Length], partial);
    }

    [Fact]
    public void Decode_ReadsWhatEncodeWrote_IncludingNegativeTimes()
    {
        var framed = Encode(OutputStream.Stderr, "hello", -5, new PartialLogMetadata(false, new string('f', 64), 7));
        Assert.Equal(framed.Length, LocalLogCodec.FrameLength(framed));
        Assert.True(LocalLogCodec.TryDecode(framed.AsSpan(4, framed.Length - 8), out var e));
        Assert.Equal("stderr", Encoding.ASCII.GetString(e.Source));
        Assert.Equal(-5, e.TimeNano);
        Assert.Equal("hello", Encoding.ASCII.GetString(e.Line));
        Assert.True(e.Partial);
        Assert.True(e.HasMetadata);
        Assert.False(e.Last);
        Assert.Equal(7, e.Ordinal);
        Assert.Equal(64, e.PartialId.Length);
    }

    [Fact]
    public void Decode_SkipsUnknownFields_SuchAsNewerDockersAttrs()
    {
        // attrs = 6 (repeated LogAttr{key=1,value=2}), then a fixed32 and a fixed64 field.
        byte[] message = [0x0a, 6, .. "stdout"u8, 0x32, 5, 0x0a, 1, (byte)'k', 0x12, 0, 0x1a, 1, (byte)'z', 0x3d, 1, 2, 3, 4, 0x41, 1, 2, 3, 4, 5, 6, 7, 8];
        Assert.True(LocalLogCodec.TryDecode(message, out var e));
        Assert.Equal("z", Encoding.ASCII.GetString(e.Line));
    }

    [Theory]
    [InlineData(new byte[] { 0x0a, 7, (byte)'s' })]                  // string longer than the message
    [InlineData(new byte[] { 0x12, 1, (byte)'x' })]                  // time_nano with the wrong wire type
    [InlineData(new byte[] { 0x10, 0x80, 0x80 })]                    // unterminated varint
    [InlineData(new byte[] { 0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f })] // varint past 64 bits
    [InlineData(new byte[] { 0x0b })]                                // start group
    [InlineData(new byte[] { 0x00, 0x01 })]                          // field number 0
    [InlineData(new byte[] { 0x2a, 2, 0x08 })]                       // broken metadata
    public void Decode_RefusesMalformedMessages(byte[] message) => Assert.False(LocalLogCodec.TryDecode(message, out _));

    [Fact]
    public void FrameLength_AsksForMore_OrRefusesBrokenFrames()
    {
        var framed = Encode(OutputStream.Stdout, "abc", 9);
        Assert.Equal(0, LocalLogCodec.FrameLength(framed.AsSpan(0, 3)));
        Assert.Equal(0, LocalLogCodec.FrameLength(framed.AsSpan(0, framed.Length - 1)));
        framed[^1] ^= 1;
        Assert.Equal(-1, LocalLogCodec.FrameLength(framed));
        Assert.Equal(-1, LocalLogCodec.FrameLength([0x00, 0x0f, 0x42, 0x41, 0, 0, 0, 0])); // 1,000,001 > dockerd's limit
    }
}
