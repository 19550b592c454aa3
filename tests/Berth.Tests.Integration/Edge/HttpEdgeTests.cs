using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Edge;

/// <summary>A daemon whose environment names proxies with credentials, as a corporate setup does.</summary>
public sealed class HttpEdgeDaemon : IAsyncLifetime
{
    public BerthDaemon Daemon { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Daemon = await BerthDaemon.StartAsync("http", new Dictionary<string, string>
        {
            ["HTTP_PROXY"] = "http://proxyuser:s3cret@proxy.example:3128",
            ["https_proxy"] = "https://admin:hunter2@secure-proxy.example:8443/path",
            ["NO_PROXY"] = "localhost,127.0.0.1",
        });
        await Daemon.LoadBusyboxAsync();
    }

    public async Task DisposeAsync() => await Daemon.DisposeAsync();
}

/// <summary>
/// The HTTP edge under hostile or broken clients, over a raw unix socket: what cannot be HTTP is
/// refused with 400 and the connection closed, ambiguous framing (request smuggling) is refused,
/// every limit answers its status, and headers only the daemon may set are never believed.
/// </summary>
public sealed class HttpEdgeTests(HttpEdgeDaemon fixture) : IClassFixture<HttpEdgeDaemon>
{
    private readonly BerthDaemon _d = fixture.Daemon;

    /// <summary>Sends <paramref name="request"/> and reads until the daemon closes the connection (the guard only stops a hang).</summary>
    private async Task<string> ExchangeAsync(byte[] request)
    {
        using var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        await socket.ConnectAsync(new UnixDomainSocketEndPoint(_d.SocketPath));
        using var guard = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        try
        {
            await socket.SendAsync(request, SocketFlags.None, guard.Token);
        }
        catch (SocketException)
        {
            // The daemon may refuse and close before it has read everything; its answer is still there.
        }

        var received = new MemoryStream();
        var buffer = new byte[64 * 1024];
        try
        {
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, guard.Token);
                if (n == 0)
                {
                    break;
                }

                received.Write(buffer, 0, n);
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"the connection stayed open; received so far: {Encoding.Latin1.GetString(received.ToArray())}");
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
        }

        return Encoding.Latin1.GetString(received.ToArray());
    }

    private Task<string> ExchangeAsync(string request) => ExchangeAsync(Encoding.Latin1.GetBytes(request));

    private static void AssertStatus(string response, int status, string? messagePart = null)
    {
        Assert.StartsWith($"HTTP/1.1 {status} ", response, StringComparison.Ordinal);
        if (messagePart is not null)
        {
            Assert.Contains(messagePart, response, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Binary_garbage_is_answered_400_and_the_connection_closed()
    {
        var garbage = new byte[4096];
        new Random(7).NextBytes(garbage);
        garbage[0] = 0x16; // a TLS ClientHello's first byte, as a TLS client on the plain socket sends
        AssertStatus(await ExchangeAsync(garbage), 400, "malformed HTTP request line");
    }

    [Fact]
    public async Task Text_that_is_not_a_request_line_is_answered_400()
    {
        AssertStatus(await ExchangeAsync("HELLO\r\n\r\n"), 400);
        AssertStatus(await ExchangeAsync("GET /_ping SPDY/3\r\n\r\n"), 400);
        AssertStatus(await ExchangeAsync("GET /_ping HTTP/1.1\r\nno colon here\r\n\r\n"), 400);
    }

    [Fact]
    public async Task Content_length_with_transfer_encoding_is_refused_not_routed()
    {
        var smuggle = "POST /containers/create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\nGET /nosuch HTTP/1.1\r\nHost: x\r\n\r\n";
        var first = await ExchangeAsync(smuggle);
        AssertStatus(first, 400, "both Content-Length and Transfer-Encoding");
        Assert.DoesNotContain("HTTP/1.1 404", first, StringComparison.Ordinal);

        // The same as the second request of a kept-alive connection.
        var second = await ExchangeAsync("GET /_ping HTTP/1.1\r\nHost: x\r\n\r\n" + smuggle);
        Assert.StartsWith("HTTP/1.1 200 ", second, StringComparison.Ordinal);
        Assert.Contains("HTTP/1.1 400 ", second, StringComparison.Ordinal);
        Assert.DoesNotContain("HTTP/1.1 404", second, StringComparison.Ordinal);

        AssertStatus(await ExchangeAsync("POST /volumes/create HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}"), 400, "two different Content-Length");
    }

    [Fact]
    public async Task A_chunk_size_that_overflows_is_a_400_and_the_connection_closes()
    {
        var r = await ExchangeAsync("POST /containers/create HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffffffffff\r\n{}");
        AssertStatus(r, 400, "malformed request body");
        Assert.Contains("Connection: close", r, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task The_body_cap_applies_whatever_the_content_type_says()
    {
        foreach (var type in new[] { "application/json", "text/plain", "application/x-tar" })
        {
            var r = await ExchangeAsync($"POST /volumes/create HTTP/1.1\r\nHost: x\r\nContent-Type: {type}\r\nContent-Length: {(9 * 1024 * 1024).ToString(System.Globalization.CultureInfo.InvariantCulture)}\r\n\r\n{{}}");
            AssertStatus(r, 413, "request body too large");
        }

        // Without a length: the cap is enforced while the chunks arrive.
        var chunk = new string(' ', 1024 * 1024);
        var body = new StringBuilder();
        for (var i = 0; i < 9; i++)
        {
            body.Append("100000\r\n").Append(chunk).Append("\r\n");
        }

        var chunked = await ExchangeAsync($"POST /networks/create HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n{body}0\r\n\r\n");
        AssertStatus(chunked, 413);
    }

    [Fact]
    public async Task Oversized_request_lines_and_headers_get_their_status()
    {
        AssertStatus(await ExchangeAsync($"GET /{new string('a', 70_000)} HTTP/1.1\r\nHost: x\r\n\r\n"), 414);
        AssertStatus(await ExchangeAsync($"GET /_ping HTTP/1.1\r\nHost: x\r\nX-Big: {new string('a', 1_100_000)}\r\n\r\n"), 431);

        // A long filter query, as `docker ps --filter` sends, is well within the limits.
        var labels = string.Join(',', Enumerable.Range(0, 500).Select(i => $"\"com.example.label{i}=value{i}\":true"));
        var filters = Uri.EscapeDataString($"{{\"label\":{{{labels}}}}}");
        using var ok = await _d.Http.GetAsync($"/v1.50/containers/json?filters={filters}");
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
    }

    [Fact]
    public async Task A_client_sent_x_hijack_bytes_header_is_not_believed()
    {
        var id = await _d.DockerOkAsync("run", "-d", "busybox", "sleep", "1000");
        using var create = await _d.Http.PostAsync($"/v1.50/containers/{id}/exec", new StringContent("""{"Cmd":["sleep","1000"]}""", Encoding.UTF8, "application/json"));
        var execId = JsonDocument.Parse(await create.Content.ReadAsStringAsync()).RootElement.GetProperty("Id").GetString();

        // 2 GiB announced in a header the daemon once used internally: it must not be allocated or read.
        var r = await ExchangeAsync($"POST /v1.50/exec/{execId}/start HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Hijack-Bytes: 2147483647\r\nContent-Type: application/json\r\nContent-Length: 15\r\n\r\n{{\"Detach\":true}}");
        AssertStatus(r, 200);
        using var inspect = await _d.Http.GetAsync($"/v1.50/exec/{execId}/json");
        Assert.True(JsonDocument.Parse(await inspect.Content.ReadAsStringAsync()).RootElement.GetProperty("Running").GetBoolean());

        // The hijacked exec start of the real CLI still carries its body.
        Assert.Equal("hi", await _d.DockerOkAsync("exec", id, "echo", "hi"));
    }

    [Fact]
    public async Task Info_masks_the_credentials_in_proxy_urls()
    {
        using var r = await _d.Http.GetAsync("/v1.50/info");
        var body = await r.Content.ReadAsStringAsync();
        var info = JsonDocument.Parse(body).RootElement;
        Assert.Equal("http://xxxxx:xxxxx@proxy.example:3128", info.GetProperty("HttpProxy").GetString());
        Assert.Equal("https://xxxxx:xxxxx@secure-proxy.example:8443/path", info.GetProperty("HttpsProxy").GetString());
        Assert.Equal("localhost,127.0.0.1", info.GetProperty("NoProxy").GetString());
        Assert.DoesNotContain("s3cret", body, StringComparison.Ordinal);
        Assert.DoesNotContain("hunter2", body, StringComparison.Ordinal);
    }
}
