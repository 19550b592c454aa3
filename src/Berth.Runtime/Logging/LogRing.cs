using System.Buffers.Binary;

namespace Berth.Runtime.Logging;

/// <summary>
/// The buffer of log-opt mode=non-blocking (Docker's logger.RingLogger): the monitor's pipe
/// readers put each piece of output here and never wait; one writer thread takes pieces out
/// and writes them to the log. When a piece does not fit, it is dropped, so a stalled log (a
/// slow or hung disk) costs lines, not the container's progress. A piece is always taken when
/// the ring is empty, as Docker's ring takes an oversized message into an empty queue.
/// <para>
/// One array of max-buffer-size bytes (at least one piece), used circularly, holds the pieces
/// with a 13-byte header each (length, stream, time): nothing is allocated per line. Docker
/// counts only the lines' bytes against max-buffer-size, so this ring holds a little less.
/// </para>
/// </summary>
public sealed class LogRing
{
    private const int HeaderSize = 13;

    private readonly object _lock = new();
    private readonly byte[] _ring;
    private int _head;
    private int _used;
    private int _count;
    private bool _closed;

    public LogRing(long maxBytes)
    {
        _ring = new byte[(int)Math.Clamp(maxBytes, LineSplitter.MaxLine + HeaderSize, int.MaxValue / 2)];
    }

    /// <summary>Pieces dropped because the ring was full.</summary>
    public long Dropped { get; private set; }

    /// <summary>Queues a piece; false when it was dropped (the ring is full) or the ring is closed.</summary>
    public bool TryEnqueue(OutputStream stream, ReadOnlySpan<byte> line, long unixNanos)
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        BinaryPrimitives.WriteInt32LittleEndian(header, line.Length);
        header[4] = (byte)stream;
        BinaryPrimitives.WriteInt64LittleEndian(header[5..], unixNanos);
        var size = HeaderSize + line.Length;
        lock (_lock)
        {
            if (_closed)
            {
                return false;
            }

            if (_used + size > _ring.Length)
            {
                Dropped++;
                return false;
            }

            var tail = (_head + _used) % _ring.Length;
            Put(ref tail, header);
            Put(ref tail, line);
            _used += size;
            _count++;
            if (_count == 1)
            {
                System.Threading.Monitor.Pulse(_lock);
            }

            return true;
        }
    }

    /// <summary>
    /// Waits for the next piece and copies it into <paramref name="line"/> (at least
    /// <see cref="LineSplitter.MaxLine"/> bytes); false once the ring is closed and empty.
    /// <paramref name="more"/> tells whether further pieces are waiting (the writer flushes when not).
    /// </summary>
    public bool TryDequeue(Span<byte> line, out OutputStream stream, out int length, out long unixNanos, out bool more)
    {
        Span<byte> header = stackalloc byte[HeaderSize];
        lock (_lock)
        {
            while (_count == 0)
            {
                if (_closed)
                {
                    stream = OutputStream.Stdout;
                    length = 0;
                    unixNanos = 0;
                    more = false;
                    return false;
                }

                System.Threading.Monitor.Wait(_lock);
            }

            Take(header);
            length = BinaryPrimitives.ReadInt32LittleEndian(header);
            stream = (OutputStream)header[4];
            unixNanos = BinaryPrimitives.ReadInt64LittleEndian(header[5..]);
            Take(line[..length]);
            _used -= HeaderSize + length;
            _count--;
            more = _count > 0;
            return true;
        }
    }

    /// <summary>No more pieces: the writer takes what is queued, then <see cref="TryDequeue"/> answers false.</summary>
    public void Close()
    {
        lock (_lock)
        {
            _closed = true;
            System.Threading.Monitor.PulseAll(_lock);
        }
    }

    private void Put(ref int at, ReadOnlySpan<byte> data)
    {
        var first = Math.Min(data.Length, _ring.Length - at);
        data[..first].CopyTo(_ring.AsSpan(at));
        data[first..].CopyTo(_ring);
        at = (at + data.Length) % _ring.Length;
    }

    private void Take(Span<byte> data)
    {
        var first = Math.Min(data.Length, _ring.Length - _head);
        _ring.AsSpan(_head, first).CopyTo(data);
        _ring.AsSpan(0, data.Length - first).CopyTo(data[first..]);
        _head = (_head + data.Length) % _ring.Length;
    }
}
