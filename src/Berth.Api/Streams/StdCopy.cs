using System.Buffers;
using System.Buffers.Binary;

namespace Berth.Api.Streams;

/// <summary>
/// Docker's multiplexed stream framing: an 8-byte header (stream id, 3 zero bytes, big-endian
/// uint32 payload length) before each payload. Used by logs, attach and exec without a TTY.
/// </summary>
public static class StdCopy
{
    public const int HeaderSize = 8;

    public static void WriteHeader(Span<byte> header, StdStream stream, int length)
    {
        header[0] = (byte)stream;
        header[1] = 0;
        header[2] = 0;
        header[3] = 0;
        BinaryPrimitives.WriteUInt32BigEndian(header[4..], (uint)length);
    }

    /// <summary>Writes one frame. Payloads are never split: readers may rely on whole lines.</summary>
    public static async ValueTask WriteFrameAsync(Stream output, StdStream stream, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(HeaderSize + payload.Length);
        try
        {
            WriteHeader(buffer, stream, payload.Length);
            payload.Span.CopyTo(buffer.AsSpan(HeaderSize));
            await output.WriteAsync(buffer.AsMemory(0, HeaderSize + payload.Length), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Reads frames from <paramref name="input"/> and copies payloads to the matching writer until
    /// end of stream. A SystemErr frame becomes an exception carrying its text. Whatever one read
    /// brings is parsed in place and consecutive payloads of a stream leave in one write, flushed
    /// before the next read that may wait: 200 MB of 1 KB log lines is ~3,000 writes, not 200,000,
    /// and an interactive stream still shows each chunk as soon as it arrives.
    /// </summary>
    public static async Task DemultiplexAsync(Stream input, Stream stdout, Stream stderr, CancellationToken cancellationToken)
    {
        var data = ArrayPool<byte>.Shared.Rent(128 * 1024);
        var pending = ArrayPool<byte>.Shared.Rent(128 * 1024);
        int start = 0, end = 0, pendingLength = 0;
        Stream? pendingTarget = null;
        try
        {
            while (true)
            {
                while (end - start >= HeaderSize)
                {
                    var kind = (StdStream)data[start];
                    var length = (int)BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(start + 4, 4));
                    if (end - start - HeaderSize < length)
                    {
                        break;
                    }

                    var payload = data.AsMemory(start + HeaderSize, length);
                    start += HeaderSize + length;
                    var target = kind switch
                    {
                        StdStream.Stdout or StdStream.Stdin => stdout,
                        StdStream.Stderr => stderr,
                        StdStream.SystemErr => null,
                        _ => throw new InvalidDataException($"unrecognized stream id {(byte)kind} in multiplexed stream"),
                    };
                    if (target != pendingTarget || pendingLength + length > pending.Length)
                    {
                        await FlushAsync().ConfigureAwait(false);
                    }

                    if (target is null)
                    {
                        throw new IOException(global::System.Text.Encoding.UTF8.GetString(payload.Span));
                    }

                    if (length > pending.Length)
                    {
                        await target.WriteAsync(payload, cancellationToken).ConfigureAwait(false);
                        continue;
                    }

                    payload.Span.CopyTo(pending.AsSpan(pendingLength));
                    pendingLength += length;
                    pendingTarget = target;
                }

                await FlushAsync().ConfigureAwait(false);

                // Keep the partial frame at the front, with room for all of it.
                var partial = end - start;
                var needed = partial >= HeaderSize
                    ? HeaderSize + (int)BinaryPrimitives.ReadUInt32BigEndian(data.AsSpan(start + 4, 4))
                    : HeaderSize;
                if (needed > data.Length)
                {
                    var bigger = ArrayPool<byte>.Shared.Rent(needed);
                    data.AsSpan(start, partial).CopyTo(bigger);
                    ArrayPool<byte>.Shared.Return(data);
                    data = bigger;
                }
                else if (start > 0)
                {
                    data.AsSpan(start, partial).CopyTo(data);
                }

                start = 0;
                end = partial;
                var n = await input.ReadAsync(data.AsMemory(end), cancellationToken).ConfigureAwait(false);
                if (n == 0)
                {
                    if (end == 0)
                    {
                        return;
                    }

                    throw new EndOfStreamException(end < HeaderSize ? "truncated multiplexed stream header" : "truncated multiplexed stream frame");
                }

                end += n;
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(data);
            ArrayPool<byte>.Shared.Return(pending);
        }

        async ValueTask FlushAsync()
        {
            if (pendingLength > 0 && pendingTarget is not null)
            {
                await pendingTarget.WriteAsync(pending.AsMemory(0, pendingLength), cancellationToken).ConfigureAwait(false);
            }

            pendingLength = 0;
            pendingTarget = null;
        }
    }
}
