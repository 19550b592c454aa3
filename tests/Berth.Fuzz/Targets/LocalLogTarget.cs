using Berth.Runtime;
using Berth.Runtime.Logging;

namespace Berth.Fuzz.Targets;

/// <summary>
/// A local-driver log as `docker logs` reads it: framed protobuf records, forwards and (for
/// --tail) backwards, plain and as a compressed rotated file. The file outlives crashes and full
/// disks, and a data root may come from elsewhere: broken frames and messages must not break the reader.
/// </summary>
public static class LocalLogTarget
{
    public static void Run(byte[] data)
    {
        // The bytes as one message, and as a sequence of frames.
        _ = LocalLogCodec.TryDecode(data, out _);
        var pos = 0;
        int length;
        while (pos < data.Length && (length = LocalLogCodec.FrameLength(data.AsSpan(pos))) > 0)
        {
            _ = LocalLogCodec.TryDecode(data.AsSpan(pos + 4, length - 8), out _);
            pos += length;
        }

        var dir = Directory.CreateTempSubdirectory("berth-fuzz-local-");
        try
        {
            var path = Path.Combine(dir.FullName, "container.log");
            File.WriteAllBytes(path, data);
            Read(path, new LogReadOptions());
            Read(path, new LogReadOptions { Tail = 2, Since = DateTimeOffset.UnixEpoch.AddSeconds(1) });

            // The same bytes as the rotated file before it, compressed, and a raw (hostile) .gz after that.
            File.WriteAllBytes(path + ".1", data);
            RotatedLogCompression.Compress(path + ".1", 5, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            File.WriteAllBytes(path + ".2.gz", data);
            Read(path, new LogReadOptions());
            Read(path, new LogReadOptions { Tail = 3 });
            Read(path, new LogReadOptions { Since = DateTimeOffset.UnixEpoch });
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    public static List<byte[]> Seeds()
    {
        var buffer = new byte[LocalLogCodec.MaxEncodedLength(64)];
        var a = buffer[..LocalLogCodec.Encode(buffer, OutputStream.Stdout, "hello world"u8, 1_700_000_000_123_456_789, null)];
        var b = buffer[..LocalLogCodec.Encode(buffer, OutputStream.Stderr, "piece"u8, 5, new PartialLogMetadata(false, new string('a', 64), 1))];
        var c = buffer[..LocalLogCodec.Encode(buffer, OutputStream.Stderr, "end"u8, 5, new PartialLogMetadata(true, new string('a', 64), 2))];
        return [a, [.. a, .. b, .. c], [.. b, .. a[..5]]];
    }

    private static void Read(string path, LogReadOptions options)
    {
        var entries = LogFileReader.ReadAsync(path, LocalLogFormat.Instance, options, Task.CompletedTask, CancellationToken.None).GetAsyncEnumerator();
        try
        {
            while (entries.MoveNextAsync().AsTask().GetAwaiter().GetResult())
            {
                _ = entries.Current.Line.Length;
            }
        }
        finally
        {
            entries.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }
    }
}
