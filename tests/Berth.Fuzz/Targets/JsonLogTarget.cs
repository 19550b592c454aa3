using System.Buffers;
using Berth.Runtime;
using Berth.Runtime.Logging;

namespace Berth.Fuzz.Targets;

/// <summary>
/// A json-file log as `docker logs` reads it (a container cannot write the file itself, but the
/// file outlives crashes and disks fill up: torn and corrupt lines must not break the reader).
/// </summary>
public static class JsonLogTarget
{
    public static void Run(byte[] data)
    {
        // Each line alone.
        var output = new ArrayBufferWriter<byte>();
        foreach (var line in Lines(data))
        {
            output.Clear();
            _ = JsonLogFormat.TryParse(line, output, out _, out _);
        }

        // The whole file through the reader, from the start and with --tail.
        var dir = Directory.CreateTempSubdirectory("berth-fuzz-log-");
        try
        {
            var path = Path.Combine(dir.FullName, "c-json.log");
            File.WriteAllBytes(path, data);
            Read(path, new LogReadOptions());
            Read(path, new LogReadOptions { Tail = 2, Since = DateTimeOffset.UnixEpoch.AddSeconds(1) });
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }

    public static List<byte[]> Seeds()
    {
        var line = new byte[JsonLogFormat.MaxEncodedLength(32)];
        var a = line[..JsonLogFormat.Encode(line, OutputStream.Stdout, "hello \"world\"\n"u8, 1_700_000_000_123_456_789)];
        var b = line[..JsonLogFormat.Encode(line, OutputStream.Stderr, "\u00e9\t\u0001x"u8, 5)];
        return [a, [.. a, .. b], "{\"log\":\"x\\n\",\"stream\":\"stdout\",\"time\":\"2025-01-01T00:00:00.5+01:00\"}\n"u8.ToArray()];
    }

    private static void Read(string path, LogReadOptions options)
    {
        var entries = LogFileReader.ReadAsync(path, JsonFileFormat.Instance, options, Task.CompletedTask, CancellationToken.None).GetAsyncEnumerator();
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

    private static IEnumerable<byte[]> Lines(byte[] data)
    {
        var start = 0;
        for (var i = 0; i <= data.Length; i++)
        {
            if (i == data.Length || data[i] == '\n')
            {
                yield return data[start..i];
                start = i + 1;
            }
        }
    }
}
