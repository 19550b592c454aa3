using System.Buffers.Binary;
using System.IO.Compression;

namespace Berth.Runtime.Logging;

/// <summary>
/// Rotated log files as dockerd compresses them: file.N.gz, a gzip member whose header carries
/// the time of the file's last entry as JSON in its extra field (<c>{"lastTime":"RFC3339Nano"}</c>),
/// which lets a reader with --since pass over older files without inflating them.
/// </summary>
public static class RotatedLogCompression
{
    private const int HeaderLength = 10;
    private const byte ExtraFlag = 0x04;

    /// <summary>
    /// Compresses <paramref name="source"/> into <paramref name="source"/>.gz (through a temporary
    /// file renamed into place, so a reader or a crash never meets half a file) and removes the source.
    /// </summary>
    public static void Compress(string source, long lastEntryNanos, UnixFileMode mode)
    {
        ArgumentNullException.ThrowIfNull(source);
        var target = source + ".gz";
        var temp = target + ".tmp";
        try
        {
            using (var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 64 * 1024))
            using (var output = new FileStream(temp, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = mode, BufferSize = 64 * 1024 }))
            {
                using (var gzip = new GZipStream(new ExtraHeaderStream(output, LastTimeExtra(lastEntryNanos)), CompressionLevel.Optimal, leaveOpen: true))
                {
                    input.CopyTo(gzip);
                }

                output.Flush(flushToDisk: true);
            }

            File.Move(temp, target, overwrite: true);
            File.Delete(source);
        }
        catch
        {
            File.Delete(temp);
            throw;
        }
    }

    /// <summary>The last entry's time recorded in a compressed file's header, if it has one.</summary>
    public static long? ReadLastTime(Stream compressed)
    {
        ArgumentNullException.ThrowIfNull(compressed);
        Span<byte> head = stackalloc byte[HeaderLength + 2];
        if (compressed.ReadAtLeast(head, head.Length, throwOnEndOfStream: false) < head.Length
            || head[0] != 0x1f || head[1] != 0x8b || (head[3] & ExtraFlag) == 0)
        {
            return null;
        }

        var extra = new byte[BinaryPrimitives.ReadUInt16LittleEndian(head[HeaderLength..])];
        if (compressed.ReadAtLeast(extra, extra.Length, throwOnEndOfStream: false) < extra.Length)
        {
            return null;
        }

        var text = extra.AsSpan();
        var prefix = "{\"lastTime\":\""u8;
        if (!text.StartsWith(prefix) || !text.EndsWith("\"}"u8))
        {
            return null;
        }

        return JsonLogFormat.TryParseTime(text[prefix.Length..^2], out var nanos) ? nanos : null;
    }

    private static byte[] LastTimeExtra(long nanos)
    {
        Span<byte> time = stackalloc byte[40];
        var n = JsonLogFormat.FormatTime(time, nanos);
        return [.. "{\"lastTime\":\""u8, .. time[..n], .. "\"}"u8];
    }

    /// <summary>
    /// Passes GZipStream's output through, with the FEXTRA flag set in its fixed 10-byte header and
    /// the extra field inserted after it. The header is not covered by the gzip checksum, so the
    /// member stays valid; GZipStream cannot write an extra field itself.
    /// </summary>
    private sealed class ExtraHeaderStream(Stream inner, byte[] extra) : Stream
    {
        private readonly byte[] _header = new byte[HeaderLength];
        private int _headerCount;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            if (_headerCount < HeaderLength)
            {
                var take = Math.Min(HeaderLength - _headerCount, buffer.Length);
                buffer[..take].CopyTo(_header.AsSpan(_headerCount));
                _headerCount += take;
                buffer = buffer[take..];
                if (_headerCount < HeaderLength)
                {
                    return;
                }

                if (_header[0] != 0x1f || _header[1] != 0x8b || _header[2] != 8 || _header[3] != 0)
                {
                    throw new InvalidDataException("unexpected gzip header from the compressor");
                }

                // The rest as Go's compress/gzip writes it for dockerd: no XFL hint, OS "unknown".
                _header[3] = ExtraFlag;
                _header[8] = 0;
                _header[9] = 0xff;
                inner.Write(_header);
                Span<byte> length = stackalloc byte[2];
                BinaryPrimitives.WriteUInt16LittleEndian(length, (ushort)extra.Length);
                inner.Write(length);
                inner.Write(extra);
            }

            inner.Write(buffer);
        }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
