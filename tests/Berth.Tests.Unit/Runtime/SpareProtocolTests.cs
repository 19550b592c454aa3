using Berth.Runtime.Monitor;

namespace Berth.Tests.Unit.Runtime;

public sealed class SpareProtocolTests
{
    [Fact]
    public void Arguments_round_trip_including_empty_and_non_ascii_ones()
    {
        string[] args = ["exec", "/usr/sbin/runc", "", "dir with space/é", "1"];
        var message = SpareProtocol.EncodeArguments(args);
        Assert.Equal(0, message[^1]);
        Assert.Equal(args, SpareProtocol.DecodeArguments(message));
    }

    [Fact]
    public void An_argument_with_a_NUL_byte_is_refused()
    {
        Assert.Throws<ArgumentException>(() => SpareProtocol.EncodeArguments(["run", "a\0b"]));
    }
}
