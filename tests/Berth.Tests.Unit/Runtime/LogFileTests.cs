using System.Text;
using Berth.Core.Errors;
using Berth.Runtime;
using Berth.Runtime.Logging;

namespace Berth.Tests.Unit.Runtime;

/// <summary>The log writer, rotation, compression and reader, in both drivers' formats.</summary>
public sealed class LogFileTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "rt-log-" + Guid.NewGuid().ToString("N")[..8]);

    public LogFileTests()
    {
        Directory.CreateDirectory(_dir);
    }

    private string LogPath => Path.Combine(_dir, "c.log");

    public static TheoryData<string> Formats => new() { "json-file", "local" };

    private static ILogFormat Format(string driver) => LogDriver.Find(driver)!.Format!;

    private LogFileWriter Writer(string driver, LogRotation rotation) => new(LogPath, Format(driver), rotation);

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [MemberData(nameof(Formats))]
    public void Rotation_KeepsMaxFiles_EachAboutMaxSize(string driver)
    {
        using (var writer = Writer(driver, new LogRotation(1024, 3)))
        {
            for (var i = 0; i < 100; i++)
            {
                writer.Append(OutputStream.Stdout, Encoding.UTF8.GetBytes($"line {i:D3}\n"), 1_000_000_000L * i);
                writer.Flush();
            }
        }

        var files = LogFileReader.ListFiles(LogPath);
        Assert.Equal([LogPath + ".2", LogPath + ".1", LogPath], files.Select(f => f.Path));
        Assert.False(File.Exists(LogPath + ".3"));
        foreach (var f in files.Take(2))
        {
            var size = new FileInfo(f.Path).Length;
            Assert.InRange(size, 1024, 1024 + 100);
        }
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Writer_AppendsToTheLogOfEarlierRuns(string driver)
    {
        using (var first = Writer(driver, LogRotation.Unlimited))
        {
            first.Append(OutputStream.Stdout, "run 1\n"u8, 1);
        }

        using (var second = Writer(driver, LogRotation.Unlimited))
        {
            second.Append(OutputStream.Stdout, "run 2\n"u8, 2);
        }

        Assert.Equal(["run 1\n", "run 2\n"], await ReadAsync(driver, new LogReadOptions()));
    }

    [Fact]
    public void Rotation_WithOneFile_Truncates()
    {
        using (var writer = Writer("json-file", new LogRotation(512, 1)))
        {
            for (var i = 0; i < 50; i++)
            {
                writer.Append(OutputStream.Stdout, Encoding.UTF8.GetBytes($"line {i}\n"), 0);
            }
        }

        Assert.Single(LogFileReader.ListFiles(LogPath));
        Assert.True(new FileInfo(LogPath).Length < 600);
        Assert.Contains("line 49", File.ReadAllText(LogPath), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("json-file", false)]
    [InlineData("json-file", true)]
    [InlineData("local", false)]
    [InlineData("local", true)]
    public async Task Reader_AcrossRotatedFiles_TailSinceUntilAndStreams(string driver, bool compress)
    {
        using (var writer = Writer(driver, new LogRotation(2048, 5, compress)))
        {
            for (var i = 0; i < 100; i++)
            {
                writer.Append(i % 2 == 0 ? OutputStream.Stdout : OutputStream.Stderr, Encoding.UTF8.GetBytes($"line {i}\n"), 1_000_000_000L * i);
            }
        }

        var files = LogFileReader.ListFiles(LogPath);
        Assert.True(files.Count > 1);
        Assert.Equal(compress, files[0].Compressed);
        Assert.Equal(compress, File.Exists(LogPath + ".1.gz"));
        Assert.False(compress && File.Exists(LogPath + ".1"), "a compressed file's original was left");
        var all = await ReadAsync(driver, new LogReadOptions());
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"line {i}\n"), all);

        Assert.Equal(["line 97\n", "line 98\n", "line 99\n"], await ReadAsync(driver, new LogReadOptions { Tail = 3 }));
        Assert.Empty(await ReadAsync(driver, new LogReadOptions { Tail = 0 }));
        Assert.Equal(100, (await ReadAsync(driver, new LogReadOptions { Tail = 1000 })).Count);

        var since = DateTimeOffset.UnixEpoch.AddSeconds(95);
        var until = DateTimeOffset.UnixEpoch.AddSeconds(97);
        Assert.Equal(["line 95\n", "line 96\n", "line 97\n"], await ReadAsync(driver, new LogReadOptions { Since = since, Until = until }));

        var stdoutOnly = await ReadAsync(driver, new LogReadOptions { Stderr = false, Tail = 4 });
        Assert.Equal(["line 96\n", "line 98\n"], stdoutOnly);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task Reader_Follow_SeesNewEntriesUntilStopped(string driver)
    {
        var stopped = new TaskCompletionSource();
        var writer = Writer(driver, LogRotation.Unlimited);
        writer.Append(OutputStream.Stdout, "first\n"u8, 1);
        writer.Flush();

        var seen = new List<string>();
        var reading = Task.Run(async () =>
        {
            await foreach (var e in LogFileReader.ReadAsync(LogPath, Format(driver), new LogReadOptions { Follow = true }, stopped.Task, CancellationToken.None))
            {
                lock (seen)
                {
                    seen.Add(Encoding.UTF8.GetString(e.Line.Span));
                }
            }
        });

        // Each entry is written once the reader has seen the one before: it is following by then.
        await SeenAsync(1);
        writer.Append(OutputStream.Stdout, "second\n"u8, 2);
        writer.Flush();
        await SeenAsync(2);
        writer.Append(OutputStream.Stdout, "third\n"u8, 3);
        writer.Dispose();
        stopped.SetResult();
        await reading.WaitAsync(TimeSpan.FromSeconds(60));
        Assert.Equal(["first\n", "second\n", "third\n"], seen);

        async Task SeenAsync(int count)
        {
            var guard = System.Diagnostics.Stopwatch.StartNew();
            while (true)
            {
                lock (seen)
                {
                    if (seen.Count >= count)
                    {
                        return;
                    }
                }

                Assert.False(reading.IsCompleted, "the reader stopped following");
                Assert.True(guard.Elapsed < TimeSpan.FromSeconds(60), $"the reader did not see entry {count}");
                await Task.Delay(5);
            }
        }
    }

    [Fact]
    public void LineSplitter_SplitsLines_AndCutsLongOnesAt16K()
    {
        var lines = new List<string>();
        var splitter = new LineSplitter();
        splitter.Feed("ab"u8, l => lines.Add(Encoding.UTF8.GetString(l)));
        splitter.Feed("c\nde\nf"u8, l => lines.Add(Encoding.UTF8.GetString(l)));
        Assert.Equal(["abc\n", "de\n"], lines);
        splitter.Finish(l => lines.Add(Encoding.UTF8.GetString(l)));
        Assert.Equal("f", lines[^1]);

        lines.Clear();
        var big = new byte[LineSplitter.MaxLine + 10];
        big.AsSpan().Fill((byte)'x');
        big[^1] = (byte)'\n';
        splitter.Feed(big, l => lines.Add(Encoding.UTF8.GetString(l)));
        Assert.Equal(2, lines.Count);
        Assert.Equal(LineSplitter.MaxLine, lines[0].Length);
        Assert.Equal("xxxxxxxxx\n", lines[1]);
    }

    [Theory]
    [MemberData(nameof(Formats))]
    public async Task LongLines_AreWrittenInPieces_AndReadBackWhole(string driver)
    {
        using (var writer = Writer(driver, LogRotation.Unlimited))
        {
            writer.Append(OutputStream.Stdout, "piece-1 "u8, 10_000);
            writer.Append(OutputStream.Stdout, "piece-2 "u8, 20_000);
            writer.Append(OutputStream.Stdout, "end\n"u8, 30_000);
            writer.Append(OutputStream.Stdout, "next\n"u8, 40_000);
            writer.Append(OutputStream.Stdout, "cut off"u8, 50_000);
        }

        // A line's pieces keep the first piece's time (Docker's copier); only the piece that
        // ends the line carries its newline back.
        var entries = new List<(string Line, DateTimeOffset Time)>();
        await foreach (var e in LogFileReader.ReadAsync(LogPath, Format(driver), new LogReadOptions(), null, CancellationToken.None))
        {
            entries.Add((Encoding.UTF8.GetString(e.Line.Span), e.Time));
        }

        Assert.Equal(["piece-1 ", "piece-2 ", "end\n", "next\n", "cut off"], entries.Select(e => e.Line));
        Assert.All(entries.Take(3), e => Assert.Equal(entries[0].Time, e.Time));
        Assert.NotEqual(entries[0].Time, entries[3].Time);
    }

    [Fact]
    public void LocalPieces_CarryDockersPartialMetadata()
    {
        using (var writer = Writer("local", LogRotation.Unlimited))
        {
            writer.Append(OutputStream.Stderr, "a"u8, 1);
            writer.Append(OutputStream.Stderr, "b"u8, 2);
            writer.Append(OutputStream.Stderr, "c\n"u8, 3);
        }

        var bytes = File.ReadAllBytes(LogPath);
        var ids = new List<string>();
        var pos = 0;
        var seen = new List<(bool Last, int Ordinal)>();
        while (pos < bytes.Length)
        {
            var length = LocalLogCodec.FrameLength(bytes.AsSpan(pos));
            Assert.True(length > 0);
            Assert.True(LocalLogCodec.TryDecode(bytes.AsSpan(pos + 4, length - 8), out var entry));
            Assert.True(entry.Partial);
            Assert.Equal("stderr", Encoding.ASCII.GetString(entry.Source));
            Assert.Equal(1, entry.TimeNano);
            ids.Add(Encoding.ASCII.GetString(entry.PartialId));
            seen.Add((entry.Last, entry.Ordinal));
            pos += length;
        }

        Assert.Equal([(false, 1), (false, 2), (true, 3)], seen);
        Assert.Single(ids.Distinct());
        Assert.Matches("^[0-9a-f]{64}$", ids[0]);
    }

    [Fact]
    public void CompressedFiles_RecordTheirLastEntryTime_InDockersGzipExtra()
    {
        using (var writer = Writer("local", new LogRotation(100, 3, Compress: true)))
        {
            for (var i = 1; i <= 20; i++)
            {
                writer.Append(OutputStream.Stdout, Encoding.UTF8.GetBytes($"line {i} of twenty\n"), 1_700_000_000_000_000_000L + i);
            }
        }

        var gz = File.ReadAllBytes(LogPath + ".1.gz");
        Assert.Equal([0x1f, 0x8b, 8, 4], gz[..4]);
        var extra = Encoding.UTF8.GetString(gz, 12, gz[10] | (gz[11] << 8));
        Assert.Matches(@"^\{""lastTime"":""2023-11-14T22:13:20\.0+[1-9]\d*Z""\}$", extra);
        using var file = File.OpenRead(LogPath + ".1.gz");
        Assert.NotNull(RotatedLogCompression.ReadLastTime(file));

        // Plain gzip readers read it (dockerd uses Go's compress/gzip, which takes the extra field).
        using var inflated = new System.IO.Compression.GZipStream(File.OpenRead(LogPath + ".1.gz"), System.IO.Compression.CompressionMode.Decompress);
        var plain = new MemoryStream();
        inflated.CopyTo(plain);
        Assert.True(LocalLogCodec.FrameLength(plain.ToArray()) > 0);
    }

    [Fact]
    public async Task Reader_Since_PassesOverCompressedFilesOlderThanIt_WithoutReadingThem()
    {
        using (var writer = Writer("json-file", new LogRotation(100, 5, Compress: true)))
        {
            for (var i = 1; i <= 12; i++)
            {
                writer.Append(OutputStream.Stdout, Encoding.UTF8.GetBytes($"line {i}\n"), 1_000_000_000L * i);
            }
        }

        // The oldest file now holds late entries under a header that says its last entry is old:
        // a reader that trusts the header (as dockerd's does) leaves the file out.
        var oldest = LogFileReader.ListFiles(LogPath)[0];
        Assert.True(oldest.Compressed);
        var plain = oldest.Path[..^3];
        var line = new byte[JsonLogFormat.MaxEncodedLength(16)];
        File.WriteAllBytes(plain, line[..JsonLogFormat.Encode(line, OutputStream.Stdout, "late but hidden\n"u8, 100_000_000_000L)]);
        RotatedLogCompression.Compress(plain, 1_000_000_000L, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.Equal(["line 11\n", "line 12\n"], await ReadAsync("json-file", new LogReadOptions { Since = DateTimeOffset.UnixEpoch.AddSeconds(11) }));
        Assert.Contains("late but hidden\n", await ReadAsync("json-file", new LogReadOptions()));
    }

    private async Task<List<string>> ReadAsync(string driver, LogReadOptions options)
    {
        var result = new List<string>();
        await foreach (var e in LogFileReader.ReadAsync(LogPath, Format(driver), options, null, CancellationToken.None))
        {
            result.Add(Encoding.UTF8.GetString(e.Line.Span));
        }

        return result;
    }
}
