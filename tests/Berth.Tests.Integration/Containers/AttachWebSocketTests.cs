using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Text;
using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Containers;

/// <summary>GET /containers/{id}/attach/ws with a real websocket client over the daemon's socket.</summary>
public sealed class AttachWebSocketTests(ContainersDaemon fixture) : IClassFixture<ContainersDaemon>
{
    private readonly BerthDaemon _d = fixture.Daemon;

    private async Task<ClientWebSocket> ConnectAsync(string pathAndQuery)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = async (_, ct) =>
            {
                var s = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
                await s.ConnectAsync(new UnixDomainSocketEndPoint(_d.SocketPath), ct);
                return new NetworkStream(s, ownsSocket: true);
            },
        };
        var ws = new ClientWebSocket();
        await ws.ConnectAsync(new Uri("ws://berth" + pathAndQuery), new HttpMessageInvoker(handler), CancellationToken.None);
        return ws;
    }

    private static async Task<(string Text, WebSocketMessageType Type)> ReadUntilCloseAsync(ClientWebSocket ws)
    {
        var text = new StringBuilder();
        var buffer = new byte[4096];
        var type = WebSocketMessageType.Close;
        while (true)
        {
            var r = await ws.ReceiveAsync(buffer, CancellationToken.None);
            if (r.MessageType == WebSocketMessageType.Close)
            {
                return (text.ToString(), type);
            }

            type = r.MessageType;
            text.Append(Encoding.UTF8.GetString(buffer, 0, r.Count));
        }
    }

    [Fact]
    public async Task Stdin_goes_in_and_output_comes_back_unframed_as_binary_messages()
    {
        var id = await _d.DockerOkAsync("create", "-i", "--network", "none", "busybox", "sh", "-c", "read line; echo got:$line; echo err >&2");
        try
        {
            using var ws = await ConnectAsync($"/v1.50/containers/{id}/attach/ws?stream=1&stdin=1&stdout=1&stderr=1");
            await _d.DockerOkAsync("start", id);
            await ws.SendAsync("hello\n"u8.ToArray(), WebSocketMessageType.Binary, endOfMessage: true, CancellationToken.None);
            var (text, type) = await ReadUntilCloseAsync(ws);

            // No stdcopy headers: the raw bytes of both streams (whose lines may interleave either way).
            Assert.Equal(["err", "got:hello"], text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Order());
            Assert.Equal(WebSocketMessageType.Binary, type);
            Assert.Equal("0", await _d.DockerOkAsync("wait", id));
        }
        finally
        {
            await _d.DockerAsync("rm", "-f", id);
        }
    }

    [Fact]
    public async Task Before_api_1_28_output_comes_as_text_messages_and_logs_are_replayed()
    {
        var id = await _d.DockerOkAsync("run", "-d", "--network", "none", "busybox", "echo", "from-the-log");
        try
        {
            Assert.Equal("0", await _d.DockerOkAsync("wait", id));
            using var ws = await ConnectAsync($"/v1.27/containers/{id}/attach/ws?logs=1&stdout=1");
            var (text, type) = await ReadUntilCloseAsync(ws);
            Assert.Equal("from-the-log\n", text);
            Assert.Equal(WebSocketMessageType.Text, type);
        }
        finally
        {
            await _d.DockerAsync("rm", "-f", id);
        }
    }

    [Fact]
    public async Task Unknown_containers_and_plain_requests_get_dockers_errors()
    {
        var missing = await Assert.ThrowsAsync<WebSocketException>(() => ConnectAsync("/v1.50/containers/nope/attach/ws?stdout=1"));
        Assert.Contains("404", missing.Message, StringComparison.Ordinal);

        var id = await _d.DockerOkAsync("create", "--network", "none", "busybox");
        try
        {
            using var plain = await _d.Http.GetAsync($"/v1.50/containers/{id}/attach/ws?stdout=1");
            Assert.Equal(HttpStatusCode.BadRequest, plain.StatusCode);
        }
        finally
        {
            await _d.DockerAsync("rm", "-f", id);
        }
    }
}
