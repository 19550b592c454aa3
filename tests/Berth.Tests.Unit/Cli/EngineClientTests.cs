using System.Net.Sockets;
using System.Text;
using Berth.Client;

namespace Berth.Tests.Unit.Cli;

/// <summary>The client against a scripted HTTP server on a unix socket.</summary>
public sealed class EngineClientTests : IDisposable
{
    private readonly string _path = Path.Combine(Path.GetTempPath(), $"berth-cli-test-{Guid.NewGuid():N}.sock");
    private readonly Socket _listener;
    private readonly List<string> _requests = [];

    public EngineClientTests()
    {
        _listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        _listener.Bind(new UnixDomainSocketEndPoint(_path));
        _listener.Listen(8);
    }

    public void Dispose()
    {
        _listener.Dispose();
        File.Delete(_path);
    }

    private Task ServeAsync(params Func<string, string>[] answers) => Task.Run(async () =>
    {
        foreach (var answer in answers)
        {
            using var s = await _listener.AcceptAsync();
            var buf = new byte[8192];
            var n = await s.ReceiveAsync(buf);
            var request = Encoding.ASCII.GetString(buf, 0, n);
            lock (_requests)
            {
                _requests.Add(request);
            }

            await s.SendAsync(Encoding.ASCII.GetBytes(answer(request)));
            s.Shutdown(SocketShutdown.Both);
        }
    });

    [Fact]
    public async Task Negotiates_down_to_the_engines_version_and_reads_chunked_bodies()
    {
        var server = ServeAsync(
            _ => "HTTP/1.1 200 OK\r\nApi-Version: 1.41\r\nContent-Length: 2\r\n\r\nOK",
            _ => "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n[{\"Id\r\n4\r\n\":1}\r\n1\r\n]\r\n0\r\n\r\n");
        var client = new EngineClient(DaemonEndpoint.Parse("unix://" + _path));
        var json = await client.GetJsonAsync("/containers/json");
        await server;
        Assert.Equal("[{\"Id\":1}]", json!.ToJsonString());
        Assert.Equal("1.41", client.NegotiatedVersion);
        Assert.StartsWith("GET /_ping HTTP/1.1", _requests[0], StringComparison.Ordinal);
        Assert.StartsWith("GET /v1.41/containers/json HTTP/1.1", _requests[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Never_asks_for_more_than_its_own_maximum_version()
    {
        var server = ServeAsync(
            _ => "HTTP/1.1 200 OK\r\nApi-Version: 1.99\r\nContent-Length: 0\r\n\r\n",
            _ => "HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: 39\r\n\r\n{\"message\":\"No such container: nosuch\"}");
        var client = new EngineClient(DaemonEndpoint.Parse("unix://" + _path));
        var e = await Assert.ThrowsAsync<EngineApiException>(() => client.GetJsonAsync("/containers/nosuch/json"));
        await server;
        Assert.Equal(404, e.StatusCode);
        Assert.Equal("No such container: nosuch", e.Message);
        Assert.StartsWith("GET /v1.50/containers/nosuch/json", _requests[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task Hijack_sends_upgrade_headers_and_keeps_bytes_after_the_head()
    {
        var server = ServeAsync(
            _ => "HTTP/1.1 200 OK\r\nApi-Version: 1.44\r\nContent-Length: 0\r\n\r\n",
            _ => "HTTP/1.1 101 UPGRADED\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\nraw-bytes");
        var client = new EngineClient(DaemonEndpoint.Parse("unix://" + _path));
        using var connection = await client.HijackAsync("POST", "/containers/x/attach", new EngineQuery().Add("stream", "1"), null, CancellationToken.None);
        using var reader = new StreamReader(connection);
        Assert.Equal("raw-bytes", await reader.ReadToEndAsync());
        await server;
        Assert.Contains("Connection: Upgrade\r\n", _requests[1], StringComparison.Ordinal);
        Assert.Contains("Upgrade: tcp\r\n", _requests[1], StringComparison.Ordinal);
        Assert.StartsWith("POST /v1.44/containers/x/attach?stream=1 HTTP/1.1", _requests[1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_absent_engine_gives_dockers_connection_message()
    {
        var client = new EngineClient(DaemonEndpoint.Parse("unix:///nonexistent/berth.sock"));
        var e = await Assert.ThrowsAsync<EngineConnectionException>(() => client.GetJsonAsync("/info"));
        Assert.Equal("Cannot connect to the Docker daemon at unix:///nonexistent/berth.sock. Is the docker daemon running?", e.Message);
    }

    [Theory]
    [InlineData(null, null, null, "unix:///run/berth/berth.sock")]
    [InlineData(null, null, "unix:///d.sock", "unix:///d.sock")]
    [InlineData(null, "unix:///b.sock", "unix:///d.sock", "unix:///b.sock")]
    [InlineData("tcp://1.2.3.4:2375", "unix:///b.sock", "unix:///d.sock", "tcp://1.2.3.4:2375")]
    public void Host_resolution_order_is_flag_berth_host_docker_host_default(string? flag, string? berthHost, string? dockerHost, string expected)
    {
        var env = new Dictionary<string, string?> { ["BERTH_HOST"] = berthHost, ["DOCKER_HOST"] = dockerHost };
        Assert.Equal(expected, DaemonEndpoint.Resolve(flag, k => env.GetValueOrDefault(k)).Original);
    }
}
