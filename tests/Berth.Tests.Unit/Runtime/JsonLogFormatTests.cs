using System.Buffers;
using System.Text;
using Berth.Runtime;
using Berth.Runtime.Logging;

namespace Berth.Tests.Unit.Runtime;

public sealed class JsonLogFormatTests
{
    private const long Nanos = 1_700_000_000_123_456_000;

    [Fact]
    public void Encode_WritesDockersJsonFileLine()
    {
        Assert.Equal(
            "{\"log\":\"hello\\n\",\"stream\":\"stdout\",\"time\":\"2023-11-14T22:13:20.123456Z\"}\n",
            Encode(OutputStream.Stdout, "hello\n"u8.ToArray(), Nanos));
        Assert.Contains("\"stream\":\"stderr\"", Encode(OutputStream.Stderr, "x"u8.ToArray(), Nanos), StringComparison.Ordinal);
    }

    [Fact]
    public void IndexOfEscape_FindsEverySpecialByteAtEveryPosition()
    {
        static bool Special(byte b) => b < 0x20 || b >= 0x80 || b is (byte)'"' or (byte)'\\' or (byte)'<' or (byte)'>' or (byte)'&';
        for (var b = 0; b < 256; b++)
        {
            foreach (var length in new[] { 1, 15, 16, 17, 31, 33, 100 })
            {
                for (var pos = 0; pos < length; pos += 7)
                {
                    var line = Enumerable.Repeat((byte)'x', length).ToArray();
                    line[pos] = (byte)b;
                    Assert.Equal(Special((byte)b) ? pos : -1, JsonLogFormat.IndexOfEscape(line));
                }
            }
        }

        var random = new Random(7);
        for (var i = 0; i < 2000; i++)
        {
            var line = new byte[random.Next(0, 200)];
            random.NextBytes(line);
            for (var j = 0; j < line.Length; j++)
            {
                line[j] = random.Next(8) == 0 ? line[j] : (byte)('a' + (line[j] % 26));
            }

            Assert.Equal(Array.FindIndex(line, Special), JsonLogFormat.IndexOfEscape(line));
        }
    }

    [Theory]
    [InlineData("a\"b\\c", "a\\\"b\\\\c")]
    [InlineData("tab\there\r", "tab\\u0009here\\r")]
    [InlineData("<a&b>", "\\u003ca\\u0026b\\u003e")]
    [InlineData("é ü 日本", "é ü 日本")]
    [InlineData("\u2028\u2029", "\\u2028\\u2029")]
    [InlineData("\u0001", "\\u0001")]
    public void Escape_MatchesDocker(string input, string expected)
    {
        var dest = new byte[1024];
        var n = JsonLogFormat.EscapeString(dest, Encoding.UTF8.GetBytes(input));
        Assert.Equal(expected, Encoding.UTF8.GetString(dest, 0, n));
    }

    [Fact]
    public void Escape_InvalidUtf8_BecomesReplacementPerByte()
    {
        var dest = new byte[64];
        var n = JsonLogFormat.EscapeString(dest, [(byte)'a', 0xff, 0xc3, (byte)'b']);
        Assert.Equal("a\\ufffd\\ufffdb", Encoding.UTF8.GetString(dest, 0, n));
    }

    [Theory]
    [InlineData(0L, "1970-01-01T00:00:00Z")]
    [InlineData(1_000_000_000L, "1970-01-01T00:00:01Z")]
    [InlineData(1_500_000_000L, "1970-01-01T00:00:01.5Z")]
    [InlineData(1_700_000_000_000_000_001L, "2023-11-14T22:13:20.000000001Z")]
    public void FormatTime_IsGoRfc3339Nano(long nanos, string expected)
    {
        var dest = new byte[64];
        var n = JsonLogFormat.FormatTime(dest, nanos);
        Assert.Equal(expected, Encoding.ASCII.GetString(dest, 0, n));
        Assert.True(JsonLogFormat.TryParseTime(Encoding.ASCII.GetBytes(expected), out var back));
        Assert.Equal(nanos, back);
    }

    [Fact]
    public void ParseTime_AcceptsOffsets()
    {
        Assert.True(JsonLogFormat.TryParseTime("2023-11-14T23:13:20.5+01:00"u8, out var n));
        Assert.Equal(1_700_000_000_500_000_000L, n);
        Assert.False(JsonLogFormat.TryParseTime("yesterday"u8, out _));
    }

    [Theory]
    [InlineData("plain line\n")]
    [InlineData("quotes \" and \\ backslash\ttab <html> & \u2028 日本\n")]
    [InlineData("no newline")]
    public void Parse_RoundTrips(string line)
    {
        var encoded = Encoding.UTF8.GetBytes(Encode(OutputStream.Stderr, Encoding.UTF8.GetBytes(line), Nanos));
        var output = new ArrayBufferWriter<byte>();
        Assert.True(JsonLogFormat.TryParse(encoded.AsSpan(0, encoded.Length - 1), output, out var stream, out var nanos));
        Assert.Equal(OutputStream.Stderr, stream);
        Assert.Equal(Nanos, nanos);
        Assert.Equal(line, Encoding.UTF8.GetString(output.WrittenSpan));
    }

    [Fact]
    public void Parse_OtherFieldOrderAndAttrs_UsesSlowPath()
    {
        var output = new ArrayBufferWriter<byte>();
        var json = "{\"stream\":\"stderr\",\"attrs\":{\"a\":\"b\"},\"time\":\"2023-11-14T22:13:20Z\",\"log\":\"x\\u00e9\\n\"}"u8;
        Assert.True(JsonLogFormat.TryParse(json, output, out var stream, out var nanos));
        Assert.Equal(OutputStream.Stderr, stream);
        Assert.Equal(1_700_000_000_000_000_000L, nanos);
        Assert.Equal("xé\n", Encoding.UTF8.GetString(output.WrittenSpan));
        Assert.False(JsonLogFormat.TryParse("not json"u8, new ArrayBufferWriter<byte>(), out _, out _));
    }

    private static string Encode(OutputStream stream, byte[] line, long nanos)
    {
        var dest = new byte[JsonLogFormat.MaxEncodedLength(line.Length)];
        var n = JsonLogFormat.Encode(dest, stream, line, nanos);
        return Encoding.UTF8.GetString(dest, 0, n);
    }
}
