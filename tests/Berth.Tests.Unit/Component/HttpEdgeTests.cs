using System.Net;
using System.Text;
using System.Text.Json.Nodes;

namespace Berth.Tests.Unit.Component;

/// <summary>
/// The daemon's HTTP edge in process over the fake runtime: version prefixes and headers,
/// Docker's error bodies and status codes, per-version shapes of the mappers, and hijacked
/// attach and exec streams, all through real HTTP on the daemon's unix socket.
/// </summary>
public sealed class HttpEdgeTests(InProcessDaemon daemon) : IClassFixture<InProcessDaemon>
{
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(60);

    private HttpClient Http => daemon.Http;

    [Theory]
    [InlineData("/version")]
    [InlineData("/v1.24/version")]
    [InlineData("/v1.50/version")]
    public async Task Every_supported_prefix_reaches_the_route_and_gets_the_negotiation_headers(string path)
    {
        var (status, body, response) = await Http.GetJsonAsync(path);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("1.50", response.Headers.GetValues("Api-Version").Single());
        Assert.Equal("linux", response.Headers.GetValues("Ostype").Single());
        Assert.StartsWith("Docker/", response.Headers.Server.ToString(), StringComparison.Ordinal);
        var engine = body!["Components"]!.AsArray().Single()!;
        Assert.Equal("1.50", engine["Details"]!["ApiVersion"]!.GetValue<string>());
        Assert.Equal("1.24", engine["Details"]!["MinAPIVersion"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("/v1.23/version", "client version 1.23 is too old. Minimum supported API version is 1.24, please upgrade your client to a newer version")]
    [InlineData("/v1.51/containers/json", "client version 1.51 is too new. Maximum supported API version is 1.50")]
    public async Task Versions_outside_the_range_are_refused_with_dockers_message(string path, string message)
    {
        var (status, body, response) = await Http.GetJsonAsync(path);
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal(message, body!["message"]!.GetValue<string>());
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("1.50", response.Headers.GetValues("Api-Version").Single());
        Assert.Equal("linux", response.Headers.GetValues("Ostype").Single());
    }

    [Fact]
    public async Task Ping_answers_get_and_head()
    {
        using var get = await Http.GetAsync("/_ping");
        Assert.Equal("OK", await get.Content.ReadAsStringAsync());
        using var head = await Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "/v1.40/_ping"));
        Assert.Equal(HttpStatusCode.OK, head.StatusCode);
        Assert.True(head.Headers.CacheControl is { NoCache: true, NoStore: true, MustRevalidate: true }, head.Headers.CacheControl?.ToString());
        Assert.Empty(await head.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("GET", "/v1.50/containers/nosuch/json", null, HttpStatusCode.NotFound, "No such container: nosuch")]
    [InlineData("GET", "/v1.50/images/nosuch:latest/json", null, HttpStatusCode.NotFound, "No such image: nosuch:latest")]
    [InlineData("GET", "/v1.50/volumes/nosuch", null, HttpStatusCode.NotFound, "get nosuch: no such volume")]
    [InlineData("GET", "/v1.50/no/such/route", null, HttpStatusCode.NotFound, "page not found")]
    [InlineData("POST", "/v1.50/containers/create", "{\"Image\":", HttpStatusCode.BadRequest, null)]
    [InlineData("POST", "/v1.50/containers/create", "{\"Image\":\"nosuch\"}", HttpStatusCode.NotFound, null)]
    public async Task Errors_have_dockers_status_and_body(string method, string path, string? json, HttpStatusCode expected, string? message)
    {
        var (status, body, response) = await Http.SendAsync(new HttpMethod(method), path, json);
        Assert.Equal(expected, status);
        Assert.Equal("application/json", response.Content.Headers.ContentType!.MediaType);
        var text = body!["message"]!.GetValue<string>();
        Assert.NotEmpty(text);
        if (message is not null)
        {
            Assert.Equal(message, text);
        }
    }

    [Fact]
    public async Task A_json_body_over_the_limit_is_refused_with_413()
    {
        var huge = "{\"Name\":\"big\",\"Labels\":{\"x\":\"" + new string('a', 9 * 1024 * 1024) + "\"}}";
        var (status, body, _) = await Http.PostJsonAsync("/v1.50/volumes/create", huge);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, status);
        Assert.NotEmpty(body!["message"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetJsonAsync("/v1.50/volumes/big")).Status);
    }

    [Fact]
    public async Task Image_shapes_follow_the_api_version()
    {
        var id = await LoadAsync(tag: null);

        // Before 1.44 untagged images list as <none>:<none> and carry VirtualSize.
        var old = (await Http.GetJsonAsync("/v1.43/images/json")).Body!.AsArray().Single(i => i!["Id"]!.GetValue<string>() == id)!;
        Assert.Equal(["<none>:<none>"], old["RepoTags"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal(["<none>@<none>"], old["RepoDigests"]!.AsArray().Select(t => t!.GetValue<string>()));
        Assert.Equal(old["Size"]!.GetValue<long>(), old["VirtualSize"]!.GetValue<long>());

        var now = (await Http.GetJsonAsync("/v1.44/images/json")).Body!.AsArray().Single(i => i!["Id"]!.GetValue<string>() == id)!.AsObject();
        Assert.Empty(now["RepoTags"]!.AsArray());
        Assert.False(now.ContainsKey("VirtualSize"));

        // "Container" left the inspect body in 1.45.
        Assert.Equal(string.Empty, (await Http.GetJsonAsync($"/v1.44/images/{id}/json")).Body!["Container"]!.GetValue<string>());
        var inspect = (await Http.GetJsonAsync($"/v1.45/images/{id}/json")).Body!.AsObject();
        Assert.False(inspect.ContainsKey("Container"));
        Assert.Equal("component", inspect["Config"]!["Labels"]!["test"]!.GetValue<string>());
    }

    [Fact]
    public async Task Volume_prune_takes_named_volumes_only_before_1_42()
    {
        var name = "named-" + Guid.NewGuid().ToString("N")[..8];
        Assert.Equal(HttpStatusCode.Created, (await Http.PostJsonAsync("/v1.50/volumes/create", $"{{\"Name\":\"{name}\"}}")).Status);
        var (status, body, _) = await Http.PostJsonAsync("/v1.42/volumes/prune");
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.DoesNotContain(name, Names(body!["VolumesDeleted"]));
        Assert.Equal(HttpStatusCode.OK, (await Http.GetJsonAsync($"/v1.50/volumes/{name}")).Status);

        body = (await Http.PostJsonAsync("/v1.41/volumes/prune")).Body;
        Assert.Contains(name, Names(body!["VolumesDeleted"]));
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetJsonAsync($"/v1.50/volumes/{name}")).Status);
    }

    [Fact]
    public async Task A_container_runs_on_the_fake_runtime_with_its_exit_code_and_logs()
    {
        var image = await LoadAsync("comp-run:1");
        var id = await CreateAsync($"{{\"Image\":\"{image}\",\"Cmd\":[\"sh\",\"-c\",\"echo hello; echo oops >&2; exit 3\"],\"HostConfig\":{{\"NetworkMode\":\"none\"}}}}");
        var wait = Http.PostJsonAsync($"/v1.50/containers/{id}/wait?condition=next-exit");
        Assert.Equal(HttpStatusCode.NoContent, (await Http.PostJsonAsync($"/v1.50/containers/{id}/start")).Status);
        Assert.Equal(3, (await wait.WaitAsync(HangGuard)).Body!["StatusCode"]!.GetValue<int>());

        var state = (await Http.GetJsonAsync($"/v1.50/containers/{id}/json")).Body!["State"]!;
        Assert.Equal("exited", state["Status"]!.GetValue<string>());
        Assert.Equal(3, state["ExitCode"]!.GetValue<int>());

        using var logs = await Http.GetAsync($"/v1.50/containers/{id}/logs?stdout=1&stderr=1");
        var (stdout, stderr) = await EngineHttp.ReadFramesAsync(await logs.Content.ReadAsStreamAsync());
        Assert.Equal("hello\n", stdout);
        Assert.Equal("oops\n", stderr);

        Assert.Equal(HttpStatusCode.NoContent, (await Http.SendAsync(HttpMethod.Delete, $"/v1.50/containers/{id}")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Http.GetJsonAsync($"/v1.50/containers/{id}/json")).Status);
    }

    [Fact]
    public async Task Logs_without_follow_put_consecutive_lines_of_a_stream_in_one_frame_and_a_follower_gets_a_frame_per_line()
    {
        var image = await LoadAsync("comp-logframes:1");
        var id = await CreateAsync($"{{\"Image\":\"{image}\",\"Cmd\":[\"sh\",\"-c\",\"echo a; echo b; echo c >&2; echo d >&2; echo e\"],\"HostConfig\":{{\"NetworkMode\":\"none\"}}}}");
        var wait = Http.PostJsonAsync($"/v1.50/containers/{id}/wait?condition=next-exit");
        Assert.Equal(HttpStatusCode.NoContent, (await Http.PostJsonAsync($"/v1.50/containers/{id}/start")).Status);
        Assert.Equal(0, (await wait.WaitAsync(HangGuard)).Body!["StatusCode"]!.GetValue<int>());

        // Same bytes either way; only the framing differs (the docker CLI writes each frame
        // with one system call, so a bulk read merges lines).
        Assert.Equal([(1, "a\nb\n"), (2, "c\nd\n"), (1, "e\n")], await FramesAsync($"/v1.50/containers/{id}/logs?stdout=1&stderr=1"));
        Assert.Equal([(1, "a\n"), (1, "b\n"), (2, "c\n"), (2, "d\n"), (1, "e\n")], await FramesAsync($"/v1.50/containers/{id}/logs?stdout=1&stderr=1&follow=1"));
        Assert.Equal([(2, "c\nd\n")], await FramesAsync($"/v1.50/containers/{id}/logs?stderr=1"));
    }

    private async Task<List<(int Stream, string Payload)>> FramesAsync(string path)
    {
        using var response = await Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var bytes = await response.Content.ReadAsByteArrayAsync().WaitAsync(HangGuard);
        var frames = new List<(int, string)>();
        for (var at = 0; at < bytes.Length;)
        {
            var length = (int)System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(bytes.AsSpan(at + 4));
            frames.Add((bytes[at], Encoding.UTF8.GetString(bytes, at + 8, length)));
            at += 8 + length;
        }

        return frames;
    }

    [Fact]
    public async Task Attach_is_hijacked_and_carries_stdin_and_stdout()
    {
        var image = await LoadAsync("comp-attach:1");
        var id = await CreateAsync($"{{\"Image\":\"{image}\",\"Cmd\":[\"cat\"],\"OpenStdin\":true,\"StdinOnce\":true,\"AttachStdin\":true,\"AttachStdout\":true,\"AttachStderr\":true,\"HostConfig\":{{\"NetworkMode\":\"none\"}}}}");
        using var socket = await daemon.ConnectAsync();
        var (head, stream) = await EngineHttp.HijackAsync(socket, $"/v1.50/containers/{id}/attach?stream=1&stdin=1&stdout=1&stderr=1");
        await using (stream)
        {
            Assert.StartsWith("HTTP/1.1 101 ", head, StringComparison.Ordinal);
            Assert.Contains("Content-Type: application/vnd.docker.multiplexed-stream\r\n", head, StringComparison.Ordinal);
            Assert.Contains("Upgrade: tcp\r\n", head, StringComparison.Ordinal);

            Assert.Equal(HttpStatusCode.NoContent, (await Http.PostJsonAsync($"/v1.50/containers/{id}/start")).Status);
            await stream.WriteAsync("ping\n"u8.ToArray());
            socket.Shutdown(System.Net.Sockets.SocketShutdown.Send); // the client's stdin ends
            var (stdout, stderr) = await EngineHttp.ReadFramesAsync(stream).WaitAsync(HangGuard);
            Assert.Equal("ping\n", stdout);
            Assert.Equal(string.Empty, stderr);
        }

        Assert.Equal(0, (await Http.PostJsonAsync($"/v1.50/containers/{id}/wait")).Body!["StatusCode"]!.GetValue<int>());
    }

    /// <summary>
    /// dockerd 20.10's head for a hijack, byte for byte but for its own headers: "101 UPGRADED"
    /// (Kestrel says "Switching Protocols"), then Content-Type, Connection and Upgrade, no Date;
    /// the Content-Type names the multiplexed stream from API 1.42 on, for attach as for exec.
    /// </summary>
    [Theory]
    [InlineData("1.41", "attach", "application/vnd.docker.raw-stream")]
    [InlineData("1.50", "attach", "application/vnd.docker.multiplexed-stream")]
    [InlineData("1.41", "exec", "application/vnd.docker.raw-stream")]
    [InlineData("1.50", "exec", "application/vnd.docker.multiplexed-stream")]
    public async Task A_hijack_answers_dockerds_101_UPGRADED_head(string version, string route, string contentType)
    {
        var image = await LoadAsync($"comp-upgraded-{route}-{version}:1");
        var id = await CreateAsync($"{{\"Image\":\"{image}\",\"Cmd\":[\"sleep\",\"1000\"],\"HostConfig\":{{\"NetworkMode\":\"none\"}}}}");
        Assert.Equal(HttpStatusCode.NoContent, (await Http.PostJsonAsync($"/v1.50/containers/{id}/start")).Status);
        string path;
        string? body = null;
        if (route == "attach")
        {
            path = $"/v{version}/containers/{id}/attach?stream=1&stdout=1&stderr=1";
        }
        else
        {
            var (_, created, _) = await Http.PostJsonAsync($"/v1.50/containers/{id}/exec", "{\"Cmd\":[\"sh\",\"-c\",\"echo hi\"],\"AttachStdout\":true,\"AttachStderr\":true}");
            path = $"/v{version}/exec/{created!["Id"]!.GetValue<string>()}/start";
            body = "{\"Detach\":false,\"Tty\":false}";
        }

        using (var socket = await daemon.ConnectAsync())
        {
            var (head, stream) = await EngineHttp.HijackAsync(socket, path, body);
            await using (stream)
            {
                var lines = head.Split("\r\n");
                Assert.Equal(["HTTP/1.1 101 UPGRADED", $"Content-Type: {contentType}", "Connection: Upgrade", "Upgrade: tcp"], lines[..4]);
                Assert.DoesNotContain(lines, l => l.StartsWith("Date:", StringComparison.OrdinalIgnoreCase));
                Assert.Contains(lines, l => l.StartsWith("Api-Version: ", StringComparison.Ordinal));
                Assert.StartsWith("Server: ", lines[^3], StringComparison.Ordinal);
                Assert.Equal(["", ""], lines[^2..]);
                if (route == "exec")
                {
                    // What follows the rewritten head is the stream, untouched.
                    Assert.Equal("hi\n", (await EngineHttp.ReadFramesAsync(stream).WaitAsync(HangGuard)).Stdout);
                }
            }
        }

        Assert.Equal(HttpStatusCode.NoContent, (await Http.SendAsync(HttpMethod.Delete, $"/v1.50/containers/{id}?force=1")).Status);
    }

    [Fact]
    public async Task Exec_start_is_an_upgrade_with_a_json_body_and_reports_the_exit_code()
    {
        var image = await LoadAsync("comp-exec:1");
        var id = await CreateAsync($"{{\"Image\":\"{image}\",\"Cmd\":[\"sleep\",\"1000\"],\"HostConfig\":{{\"NetworkMode\":\"none\"}}}}");
        Assert.Equal(HttpStatusCode.NoContent, (await Http.PostJsonAsync($"/v1.50/containers/{id}/start")).Status);
        var (status, created, _) = await Http.PostJsonAsync($"/v1.50/containers/{id}/exec", "{\"Cmd\":[\"sh\",\"-c\",\"echo out; echo err >&2; exit 5\"],\"AttachStdout\":true,\"AttachStderr\":true}");
        Assert.Equal(HttpStatusCode.Created, status);
        var execId = created!["Id"]!.GetValue<string>();

        using (var socket = await daemon.ConnectAsync())
        {
            var (head, stream) = await EngineHttp.HijackAsync(socket, $"/v1.50/exec/{execId}/start", "{\"Detach\":false,\"Tty\":false}");
            await using (stream)
            {
                Assert.StartsWith("HTTP/1.1 101 ", head, StringComparison.Ordinal);
                var (stdout, stderr) = await EngineHttp.ReadFramesAsync(stream).WaitAsync(HangGuard);
                Assert.Equal("out\n", stdout);
                Assert.Equal("err\n", stderr);
            }
        }

        var inspect = (await Http.GetJsonAsync($"/v1.50/exec/{execId}/json")).Body!;
        Assert.Equal(5, inspect["ExitCode"]!.GetValue<int>());
        Assert.False(inspect["Running"]!.GetValue<bool>());
        Assert.Equal(HttpStatusCode.NoContent, (await Http.SendAsync(HttpMethod.Delete, $"/v1.50/containers/{id}?force=1")).Status);
    }

    [Theory]
    [InlineData("Content-Length: -1\r\n")]
    [InlineData("Content-Length: 3\r\nContent-Length: 5\r\n")]
    public async Task A_hijack_with_a_bad_body_length_gets_kestrels_400(string lengths)
    {
        using var socket = await daemon.ConnectAsync();
        await using var stream = new System.Net.Sockets.NetworkStream(socket, ownsSocket: false);
        await stream.WriteAsync(Encoding.ASCII.GetBytes($"POST /v1.50/exec/nosuch/start HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: tcp\r\nX-Hijack-Bytes: 2\r\n{lengths}\r\n{{}}"));
        var buffer = new byte[64];
        var n = await stream.ReadAtLeastAsync(buffer, 12, throwOnEndOfStream: false).AsTask().WaitAsync(HangGuard);
        Assert.StartsWith("HTTP/1.1 400 ", Encoding.ASCII.GetString(buffer, 0, n), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("base256-number-overflow-1")]
    [InlineData("pax-mtime-overflow")]
    public async Task An_archive_with_numbers_too_large_for_tar_is_refused_as_invalid(string input)
    {
        // Inputs the layer fuzzer found (System.Formats.Tar throws OverflowException for them).
        // As dockerd, a load that fails answers 200 and says why in the message stream.
        var bytes = await File.ReadAllBytesAsync(Path.Combine(AppContext.BaseDirectory, "Fuzz", "regressions", "layer-tar", input));
        using var content = new ByteArrayContent(bytes);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-tar");
        using var response = await Http.PostAsync("/v1.50/images/load?quiet=1", content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode} {text}");
        Assert.StartsWith("invalid ", JsonNode.Parse(text)!["errorDetail"]!["message"]!.GetValue<string>(), StringComparison.Ordinal);
    }

    private async Task<string> LoadAsync(string? tag)
    {
        using var content = new ByteArrayContent(TestImage.Archive(tag));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-tar");
        using var response = await Http.PostAsync("/v1.50/images/load?quiet=1", content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, text);
        var loaded = JsonNode.Parse(text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Last())!["stream"]!.GetValue<string>().Trim();

        // "Loaded image: name:tag" or "Loaded image ID: sha256:..."
        return loaded[(loaded.IndexOf(": ", StringComparison.Ordinal) + 2)..];
    }

    private async Task<string> CreateAsync(string json)
    {
        var (status, body, _) = await Http.PostJsonAsync("/v1.50/containers/create", json);
        Assert.True(status == HttpStatusCode.Created, body?.ToJsonString());
        return body!["Id"]!.GetValue<string>();
    }

    private static List<string> Names(JsonNode? array) => array is null ? [] : [.. array.AsArray().Select(n => n!.GetValue<string>())];
}
