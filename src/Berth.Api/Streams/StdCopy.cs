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
    /// end of stream. A SystemErr frame becomes an exception carrying its text.
    /// </summary>
    public static async Task DemultiplexAsync(Stream input, Stream stdout, Stream stderr, CancellationToken cancellationToken)
    {
        var header = new byte[HeaderSize];
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            while (true)
            {
                if (!await ReadExactlyOrEndAsync(input, header, cancellationToken).ConfigureAwait(false))
                {
                    return;
                }

                var kind = (StdStream)header[0];
                var length = (int)BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4));
                if (length > buffer.Length)
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = ArrayPool<byte>.Shared.Rent(length);
                }

                await input.ReadExactlyAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                switch (kind)
                {
                    case StdStream.Stdout:
                    case StdStream.Stdin:
                        await stdout.WriteAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                        break;
                    case StdStream.Stderr:
                        await stderr.WriteAsync(buffer.AsMemory(0, length), cancellationToken).ConfigureAwait(false);
                        break;
                    case StdStream.SystemErr:
                        throw new IOException(global::System.Text.Encoding.UTF8.GetString(buffer, 0, length));
                    default:
                        throw new InvalidDataException($"unrecognized stream id {header[0]} in multiplexed stream");
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async ValueTask<bool> ReadExactlyOrEndAsync(Stream input, byte[] header, CancellationToken cancellationToken)
    {
        var read = 0;
        while (read < header.Length)
        {
            var n = await input.ReadAsync(header.AsMemory(read), cancellationToken).ConfigureAwait(false);
            if (n == 0)
            {
                return read == 0 ? false : throw new EndOfStreamException("truncated multiplexed stream header");
            }

            read += n;
        }

        return true;
    }
}
