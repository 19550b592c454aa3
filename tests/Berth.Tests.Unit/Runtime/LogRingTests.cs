using System.Text;
using Berth.Runtime;
using Berth.Runtime.Logging;

namespace Berth.Tests.Unit.Runtime;

/// <summary>mode=non-blocking's ring: pieces in order, new ones dropped when full, nothing lost that was taken.</summary>
public sealed class LogRingTests
{
    private static readonly byte[] Scratch = new byte[LineSplitter.MaxLine];

    private static (string Line, OutputStream Stream, long Nanos, bool More)? Take(LogRing ring)
    {
        if (!ring.TryDequeue(Scratch, out var stream, out var length, out var nanos, out var more))
        {
            return null;
        }

        return (Encoding.ASCII.GetString(Scratch, 0, length), stream, nanos, more);
    }

    [Fact]
    public void Full_ring_drops_new_pieces_and_keeps_the_queued_ones_in_order()
    {
        // The smallest ring holds one piece of the largest size plus its header.
        var ring = new LogRing(0);
        var piece = new byte[4000];
        var accepted = 0;
        for (var i = 0; i < 10; i++)
        {
            piece.AsSpan().Fill((byte)('a' + i));
            if (ring.TryEnqueue(i % 2 == 0 ? OutputStream.Stdout : OutputStream.Stderr, piece, i))
            {
                accepted++;
            }
        }

        Assert.Equal(4, accepted);
        Assert.Equal(6, ring.Dropped);
        for (var i = 0; i < 4; i++)
        {
            var e = Take(ring)!.Value;
            Assert.Equal(new string((char)('a' + i), 4000), e.Line);
            Assert.Equal(i % 2 == 0 ? OutputStream.Stdout : OutputStream.Stderr, e.Stream);
            Assert.Equal(i, e.Nanos);
            Assert.Equal(i < 3, e.More);
        }

        // Room again once taken, and the pieces wrap around the end of the array intact.
        for (var round = 0; round < 50; round++)
        {
            var text = $"round {round} " + new string('x', round * 37);
            Assert.True(ring.TryEnqueue(OutputStream.Stdout, Encoding.ASCII.GetBytes(text), round));
            Assert.True(ring.TryEnqueue(OutputStream.Stderr, Encoding.ASCII.GetBytes(text + "!"), round));
            Assert.Equal(text, Take(ring)!.Value.Line);
            Assert.Equal(text + "!", Take(ring)!.Value.Line);
        }
    }

    [Fact]
    public void A_closed_ring_hands_out_what_it_holds_then_ends()
    {
        var ring = new LogRing(1 << 20);
        Assert.True(ring.TryEnqueue(OutputStream.Stdout, "one\n"u8, 1));
        Assert.True(ring.TryEnqueue(OutputStream.Stdout, "two\n"u8, 2));
        ring.Close();
        Assert.False(ring.TryEnqueue(OutputStream.Stdout, "late\n"u8, 3));
        Assert.Equal("one\n", Take(ring)!.Value.Line);
        Assert.Equal("two\n", Take(ring)!.Value.Line);
        Assert.Null(Take(ring));
    }

    [Fact]
    public async Task A_waiting_writer_wakes_for_the_next_piece()
    {
        var ring = new LogRing(1 << 16);
        var taken = Task.Run(() => Take(ring));
        Assert.True(ring.TryEnqueue(OutputStream.Stderr, "late\n"u8, 7));
        var e = await taken.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal("late\n", e!.Value.Line);
        ring.Close();
    }
}
