using System.Text;
using Berth.Core.Errors;
using Berth.Runtime;
using Berth.Runtime.Logging;

namespace Berth.Tests.Unit.Runtime;

public sealed class JsonLogFileTests : IDisposable
{
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "rt-log-" + Guid.NewGuid().ToString("N")[..8]);

    public JsonLogFileTests()
    {
        Directory.CreateDirectory(_dir);
    }

    private string LogPath => Path.Combine(_dir, "c-json.log");

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Fact]
    public void Rotation_KeepsMaxFiles_EachAboutMaxSize()
    {
        using (var writer = new JsonLogWriter(LogPath, new LogRotation(1024, 3)))
        {
            for (var i = 0; i < 100; i++)
            {
                writer.Append(OutputStream.Stdout, Encoding.UTF8.GetBytes($"line {i:D3}\n"), 1_000_000_000L * i);
                writer.Flush();
            }
        }

        var files = JsonLogReader.ListFiles(LogPath);
        Assert.Equal([LogPath + ".2", LogPath + ".1", LogPath], files);
        Assert.False(File.Exists(LogPath + ".3"));
        foreach (var f in files.Take(2))
        {
            var size = new FileInfo(f).Length;
            Assert.InRange(size, 1024, 1024 + 100);
        }
    }

    [Fact]
    public async Task Writer_AppendsToTheLogOfEarlierRuns()
    {
        using (var first = new JsonLogWriter(LogPath, LogRotation.Unlimited))
        {
            first.Append(OutputStream.Stdout, "run 1\n"u8, 1);
        }

        using (var second = new JsonLogWriter(LogPath, LogRotation.Unlimited))
        {
            second.Append(OutputStream.Stdout, "run 2\n"u8, 2);
        }

        Assert.Equal(["run 1\n", "run 2\n"], await ReadAsync(new LogReadOptions()));
    }

    [Fact]
    public void Rotation_WithOneFile_Truncates()
    {
        using (var writer = new JsonLogWriter(LogPath, new LogRotation(512, 1)))
        {
            for (var i = 0; i < 50; i++)
            {
                writer.Append(OutputStream.Stdout, Encoding.UTF8.GetBytes($"line {i}\n"), 0);
            }
        }

        Assert.Single(JsonLogReader.ListFiles(LogPath));
        Assert.True(new FileInfo(LogPath).Length < 600);
        Assert.Contains("line 49", File.ReadAllText(LogPath), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reader_AcrossRotatedFiles_TailSinceUntilAndStreams()
    {
        using (var writer = new JsonLogWriter(LogPath, new LogRotation(2048, 5)))
        {
            for (var i = 0; i < 100; i++)
            {
                writer.Append(i % 2 == 0 ? OutputStream.Stdout : OutputStream.Stderr, Encoding.UTF8.GetBytes($"line {i}\n"), 1_000_000_000L * i);
            }
        }

        Assert.True(JsonLogReader.ListFiles(LogPath).Count > 1);
        var all = await ReadAsync(new LogReadOptions());
        Assert.Equal(Enumerable.Range(0, 100).Select(i => $"line {i}\n"), all);

        Assert.Equal(["line 97\n", "line 98\n", "line 99\n"], await ReadAsync(new LogReadOptions { Tail = 3 }));
        Assert.Empty(await ReadAsync(new LogReadOptions { Tail = 0 }));
        Assert.Equal(100, (await ReadAsync(new LogReadOptions { Tail = 1000 })).Count);

        var since = DateTimeOffset.UnixEpoch.AddSeconds(95);
        var until = DateTimeOffset.UnixEpoch.AddSeconds(97);
        Assert.Equal(["line 95\n", "line 96\n", "line 97\n"], await ReadAsync(new LogReadOptions { Since = since, Until = until }));

        var stdoutOnly = await ReadAsync(new LogReadOptions { Stderr = false, Tail = 4 });
        Assert.Equal(["line 96\n", "line 98\n"], stdoutOnly);
    }

    [Fact]
    public async Task Reader_Follow_SeesNewEntriesUntilStopped()
    {
        var stopped = new TaskCompletionSource();
        var writer = new JsonLogWriter(LogPath, LogRotation.Unlimited);
        writer.Append(OutputStream.Stdout, "first\n"u8, 1);
        writer.Flush();

        var seen = new List<string>();
        var reading = Task.Run(async () =>
        {
            await foreach (var e in JsonLogReader.ReadAsync(LogPath, new LogReadOptions { Follow = true }, stopped.Task, CancellationToken.None))
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
    public void LogOptions_AreValidatedAsDocker()
    {
        Assert.Equal(new LogRotation(10L << 20, 3), LogRotation.Parse(new Dictionary<string, string> { ["max-size"] = "10m", ["max-file"] = "3" }));
        Assert.Equal(1536, LogRotation.ParseSize("1.5k"));
        Assert.Equal(2L << 30, LogRotation.ParseSize("2g"));
        Assert.Equal("unknown log opt 'foo' for json-file log driver",
            Assert.Throws<BerthException>(() => LogRotation.Parse(new Dictionary<string, string> { ["foo"] = "1" })).Message);
        Assert.Throws<BerthException>(() => LogRotation.Parse(new Dictionary<string, string> { ["max-file"] = "0", ["max-size"] = "1k" }));
        // dockerd accepts max-file alone; without max-size nothing rotates.
        Assert.Equal(new LogRotation(-1, 3), LogRotation.Parse(new Dictionary<string, string> { ["max-file"] = "3" }));
        Assert.Equal(ErrorKind.NotImplemented, Assert.Throws<BerthException>(() => LogRotation.Parse(new Dictionary<string, string> { ["compress"] = "true" })).Kind);
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

    private async Task<List<string>> ReadAsync(LogReadOptions options)
    {
        var result = new List<string>();
        await foreach (var e in JsonLogReader.ReadAsync(LogPath, options, null, CancellationToken.None))
        {
            result.Add(Encoding.UTF8.GetString(e.Line.Span));
        }

        return result;
    }
}
