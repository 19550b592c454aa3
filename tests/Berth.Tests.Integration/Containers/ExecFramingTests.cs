using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Containers;

public sealed class ExecFramingDaemon() : DaemonFixture("ctrframe")
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private string? _container;

    /// <summary>One long-running container for every case.</summary>
    public async Task<string> ContainerAsync()
    {
        await _gate.WaitAsync();
        try
        {
            return _container ??= await Daemon.DockerOkAsync("run", "-d", "busybox", "sleep", "3600");
        }
        finally
        {
            _gate.Release();
        }
    }
}

/// <summary>
/// POST /exec/{id}/start with every combination of the exec's create Tty, the start request's
/// Tty, an upgrade (hijack) or not, and Detach, checked against what dockerd 20.10 answers (the
/// table below was recorded from it): the start's Tty decides the framing, create's Tty whether
/// the process has a terminal (which merges stderr into stdout, with CRLF); a start Tty without a
/// terminal drops stderr; Detach answers 200 without a body and never hijacks.
/// </summary>
public sealed class ExecFramingTests(ExecFramingDaemon fixture) : IClassFixture<ExecFramingDaemon>
{
    private const string RawStream = "application/vnd.docker.raw-stream";
    private const string MultiplexedStream = "application/vnd.docker.multiplexed-stream";
    private readonly BerthDaemon _d = fixture.Daemon;

    public static TheoryData<bool, bool, bool, bool, string> Cases
    {
        get
        {
            // createTty, startTty, hijack, detach → expected body: "frames:<stdout>|<stderr>", "raw:<bytes>" or "none".
            var data = new TheoryData<bool, bool, bool, bool, string>();
            foreach (var hijack in new[] { false, true })
            {
                data.Add(false, false, hijack, false, "frames:out\n|err\n");
                data.Add(false, true, hijack, false, "raw:out\n");
                data.Add(true, false, hijack, false, "frames:out\r\nerr\r\n|");
                data.Add(true, true, hijack, false, "raw:out\r\nerr\r\n");
                foreach (var createTty in new[] { false, true })
                {
                    foreach (var startTty in new[] { false, true })
                    {
                        data.Add(createTty, startTty, hijack, true, "none");
                    }
                }
            }

            return data;
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Start_frames_by_the_start_requests_Tty_as_dockerd(bool createTty, bool startTty, bool hijack, bool detach, string expected)
    {
        var container = await fixture.ContainerAsync();
        var (status, headers, body) = await RunAsync("1.41", container, createTty, startTty, hijack, detach);
        if (detach)
        {
            Assert.Equal("HTTP/1.1 200 OK", status);
            Assert.Equal("0", headers.GetValueOrDefault("content-length"));
            Assert.Empty(body);
            return;
        }

        // dockerd's reason phrase is "UPGRADED", Kestrel's "Switching Protocols": clients read the code.
        Assert.StartsWith(hijack ? "HTTP/1.1 101 " : "HTTP/1.1 200 OK", status, StringComparison.Ordinal);
        Assert.Equal(RawStream, headers.GetValueOrDefault("content-type"));
        if (expected.StartsWith("raw:", StringComparison.Ordinal))
        {
            Assert.Equal(expected[4..], Encoding.UTF8.GetString(body));
        }
        else
        {
            var (stdout, stderr) = Demultiplex(body);
            Assert.Equal(expected[7..], stdout + "|" + stderr);
        }
    }

    [Theory]
    [InlineData(false, MultiplexedStream)]
    [InlineData(true, RawStream)]
    public async Task From_API_1_42_the_upgrade_names_the_multiplexed_stream(bool startTty, string contentType)
    {
        var container = await fixture.ContainerAsync();
        var (status, headers, _) = await RunAsync("1.50", container, createTty: true, startTty, hijack: true, detach: false);
        Assert.StartsWith("HTTP/1.1 101 ", status, StringComparison.Ordinal);
        Assert.Equal(contentType, headers.GetValueOrDefault("content-type"));
        var (_, plainHeaders, _) = await RunAsync("1.50", container, createTty: false, startTty, hijack: false, detach: false);
        Assert.Equal(RawStream, plainHeaders.GetValueOrDefault("content-type"));
    }

    private async Task<(string Status, Dictionary<string, string> Headers, byte[] Body)> RunAsync(string version, string container, bool createTty, bool startTty, bool hijack, bool detach)
    {
        var create = await RequestAsync("POST", $"/v{version}/containers/{container}/exec", $$"""{"Cmd":["sh","-c","echo out; echo err >&2"],"AttachStdout":true,"AttachStderr":true,"Tty":{{Json(createTty)}}}""", string.Empty, untilClose: false);
        Assert.True(create.Status.Contains(" 201 ", StringComparison.Ordinal), create.Status);
        var execId = JsonDocument.Parse(create.Body).RootElement.GetProperty("Id").GetString();
        return await RequestAsync("POST", $"/v{version}/exec/{execId}/start", $$"""{"Detach":{{Json(detach)}},"Tty":{{Json(startTty)}}}""", hijack ? "Connection: Upgrade\r\nUpgrade: tcp\r\n" : string.Empty, untilClose: hijack && !detach);
    }

    private static string Json(bool b) => b ? "true" : "false";

    /// <summary>
    /// One request on a fresh connection; the body is read to the end of the connection (an
    /// upgraded one), else as HTTP says (Content-Length, chunked, or to the end).
    /// </summary>
    private async Task<(string Status, Dictionary<string, string> Headers, byte[] Body)> RequestAsync(string method, string path, string json, string extraHeaders, bool untilClose)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(_d.SocketPath));
        var body = Encoding.UTF8.GetBytes(json);
        var head = $"{method} {path} HTTP/1.1\r\nHost: berth\r\nContent-Type: application/json\r\nContent-Length: {body.Length}\r\n{extraHeaders}\r\n";
        await socket.SendAsync(Encoding.ASCII.GetBytes(head).Concat(body).ToArray());

        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        var received = new List<byte>();
        var buffer = new byte[65536];
        int headEnd;
        while ((headEnd = IndexOf(received, "\r\n\r\n"u8.ToArray())) < 0)
        {
            var n = await socket.ReceiveAsync(buffer, cts.Token);
            Assert.True(n > 0, "the connection closed before the response head");
            received.AddRange(buffer.AsSpan(0, n));
        }

        var lines = Encoding.ASCII.GetString(received.GetRange(0, headEnd).ToArray()).Split("\r\n");
        var headers = lines.Skip(1).Select(l => l.Split(':', 2)).ToDictionary(p => p[0].Trim().ToLowerInvariant(), p => p[1].Trim());
        var rest = received.Skip(headEnd + 4).ToList();
        if (untilClose)
        {
            int n;
            while ((n = await socket.ReceiveAsync(buffer, cts.Token)) > 0)
            {
                rest.AddRange(buffer.AsSpan(0, n));
            }
        }
        else
        {
            var length = int.Parse(headers.GetValueOrDefault("content-length", "-1"), System.Globalization.CultureInfo.InvariantCulture);
            if (length < 0 && headers.GetValueOrDefault("transfer-encoding") != "chunked")
            {
                int n;
                while ((n = await socket.ReceiveAsync(buffer, cts.Token)) > 0)
                {
                    rest.AddRange(buffer.AsSpan(0, n));
                }
            }
            else if (headers.GetValueOrDefault("transfer-encoding") == "chunked")
            {
                while (!EndsWith(rest, "0\r\n\r\n"u8.ToArray()))
                {
                    var n = await socket.ReceiveAsync(buffer, cts.Token);
                    Assert.True(n > 0, "the connection closed in a chunked body");
                    rest.AddRange(buffer.AsSpan(0, n));
                }

                rest = Dechunk(rest);
            }
            else
            {
                while (rest.Count < length)
                {
                    var n = await socket.ReceiveAsync(buffer, cts.Token);
                    Assert.True(n > 0, "the connection closed in the body");
                    rest.AddRange(buffer.AsSpan(0, n));
                }
            }
        }

        return (lines[0], headers, [.. rest]);
    }

    private static (string Stdout, string Stderr) Demultiplex(byte[] body)
    {
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var i = 0;
        while (i < body.Length)
        {
            Assert.True(body.Length - i >= 8, "a truncated frame header");
            Assert.True(body[i] is 1 or 2 && body[i + 1] == 0 && body[i + 2] == 0 && body[i + 3] == 0, $"not a frame header at {i}: {Encoding.UTF8.GetString(body)}");
            var length = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(body.AsSpan(i + 4));
            (body[i] == 1 ? stdout : stderr).Append(Encoding.UTF8.GetString(body, i + 8, length));
            i += 8 + length;
        }

        return (stdout.ToString(), stderr.ToString());
    }

    private static List<byte> Dechunk(List<byte> chunked)
    {
        var result = new List<byte>();
        var i = 0;
        while (true)
        {
            var lineEnd = IndexOf(chunked.Skip(i).ToList(), "\r\n"u8.ToArray()) + i;
            var size = Convert.ToInt32(Encoding.ASCII.GetString(chunked.GetRange(i, lineEnd - i).ToArray()), 16);
            if (size == 0)
            {
                return result;
            }

            result.AddRange(chunked.GetRange(lineEnd + 2, size));
            i = lineEnd + 2 + size + 2;
        }
    }

    private static bool EndsWith(List<byte> data, byte[] suffix) =>
        data.Count >= suffix.Length && data.Skip(data.Count - suffix.Length).SequenceEqual(suffix);

    private static int IndexOf(List<byte> data, byte[] needle)
    {
        for (var i = 0; i + needle.Length <= data.Count; i++)
        {
            var match = true;
            for (var j = 0; j < needle.Length && match; j++)
            {
                match = data[i + j] == needle[j];
            }

            if (match)
            {
                return i;
            }
        }

        return -1;
    }
}
