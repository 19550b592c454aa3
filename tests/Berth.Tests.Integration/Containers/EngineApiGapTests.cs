using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Tests.Integration.Harness;

namespace Berth.Tests.Integration.Containers;

public sealed class EngineApiGapDaemon() : DaemonFixture("gap");

/// <summary>
/// Engine API behaviour that SDK clients (docker-py, Docker.DotNet) depend on, driven over raw
/// HTTP on the daemon's socket the way those clients send it; expected answers are dockerd 20.10's.
/// </summary>
public sealed class EngineApiGapTests(EngineApiGapDaemon fixture) : IClassFixture<EngineApiGapDaemon>
{
    /// <summary>Guards against a hang only; nothing waits for it to pass.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromSeconds(90);

    private readonly BerthDaemon _d = fixture.Daemon;

    private static string Name(string what) => $"{what}-{Guid.NewGuid().ToString("N")[..8]}";

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private async Task<(HttpStatusCode Status, string Body)> SendAsync(HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = json is null ? null : Json(json) };
        using var r = await _d.Http.SendAsync(request);
        return (r.StatusCode, await r.Content.ReadAsStringAsync());
    }

    private async Task<string> CreateAsync(string json, string? name = null)
    {
        var (status, body) = await SendAsync(HttpMethod.Post, "/v1.50/containers/create" + (name is null ? string.Empty : "?name=" + name), json);
        Assert.True(status == HttpStatusCode.Created, $"create: {(int)status} {body}");
        return JsonDocument.Parse(body).RootElement.GetProperty("Id").GetString()!;
    }

    private async Task StartAsync(string id)
    {
        var (status, body) = await SendAsync(HttpMethod.Post, $"/v1.50/containers/{id}/start");
        Assert.True(status == HttpStatusCode.NoContent, $"start: {(int)status} {body}");
    }

    private async Task<JsonElement> InspectAsync(string what, string id)
    {
        var (status, body) = await SendAsync(HttpMethod.Get, what == "networks" ? $"/v1.50/networks/{id}" : $"/v1.50/{what}/{id}/json");
        Assert.True(status == HttpStatusCode.OK, $"inspect: {(int)status} {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    private async Task<string> DockerOkAsync(params string[] args)
    {
        var r = await _d.DockerAsync(args);
        Assert.True(r.ExitCode == 0, $"docker {string.Join(' ', args)}: {r}\n{_d.Log}");
        return r.Out;
    }

    /// <summary>Starts POST /wait and returns once the daemon has answered the head (the wait is registered by then).</summary>
    private async Task<HttpResponseMessage> BeginWaitAsync(string id, string condition)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"/v1.50/containers/{id}/wait?condition={condition}");
        var response = await _d.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(HangGuard);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return response;
    }

    private static async Task<int> WaitStatusAsync(HttpResponseMessage wait)
    {
        using (wait)
        {
            var body = await wait.Content.ReadAsStringAsync().WaitAsync(HangGuard);
            return JsonDocument.Parse(body).RootElement.GetProperty("StatusCode").GetInt32();
        }
    }

    /// <summary>Container events of one container (and network events naming it) between two times, in order.</summary>
    private async Task<List<string>> EventsAsync(string id, DateTimeOffset since)
    {
        var until = DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeSeconds();
        var (status, body) = await SendAsync(HttpMethod.Get, $"/v1.50/events?since={since.ToUnixTimeSeconds()}&until={until}");
        Assert.Equal(HttpStatusCode.OK, status);
        var list = new List<string>();
        foreach (var line in body.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            var e = JsonDocument.Parse(line).RootElement;
            var type = e.GetProperty("Type").GetString();
            var actor = e.GetProperty("Actor");
            var actorId = actor.GetProperty("ID").GetString();
            var attrs = actor.GetProperty("Attributes");
            if ((type == "container" && actorId == id) || (type == "network" && attrs.TryGetProperty("container", out var c) && c.GetString() == id))
            {
                list.Add($"{type} {e.GetProperty("Action").GetString()}");
            }
        }

        return list;
    }

    [Fact]
    public async Task Wait_answers_at_the_first_exit_of_a_container_that_its_restart_policy_starts_again()
    {
        var id = await CreateAsync("""{"Image":"busybox","Cmd":["sh","-c","usleep 300000; exit 3"],"HostConfig":{"RestartPolicy":{"Name":"always"}}}""");
        var nextExit = await BeginWaitAsync(id, "next-exit");
        await StartAsync(id);
        // Registered while the container runs (or waits for its next restart): both end at the next exit.
        var notRunning = await BeginWaitAsync(id, "not-running");
        var defaultCondition = await BeginWaitAsync(id, string.Empty);
        Assert.Equal(3, await WaitStatusAsync(nextExit));
        Assert.Equal(3, await WaitStatusAsync(notRunning));
        Assert.Equal(3, await WaitStatusAsync(defaultCondition));
        Assert.Equal(3, await WaitStatusAsync(await BeginWaitAsync(id, "next-exit")));
        await DockerOkAsync("rm", "-f", id);
    }

    /// <summary>A body sent in two parts: the second only once <see cref="Release"/> is called.</summary>
    private sealed class GatedContent(string first, string rest) : HttpContent
    {
        private readonly TaskCompletionSource _sent = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task FirstPartSent => _sent.Task;

        public void Release() => _release.TrySetResult();

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            await stream.WriteAsync(Encoding.UTF8.GetBytes(first), cancellationToken);
            await stream.FlushAsync(cancellationToken);
            _sent.TrySetResult();
            await _release.Task.WaitAsync(cancellationToken);
            await stream.WriteAsync(Encoding.UTF8.GetBytes(rest), cancellationToken);
        }

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    [Fact]
    public async Task Commit_with_pause_of_a_container_that_exits_while_the_request_is_in_flight_commits_it()
    {
        var id = await CreateAsync("""{"Image":"busybox","Cmd":["sh","-c","echo data > /committed; echo ready; exec sleep 600"]}""");
        await StartAsync(id);
        await ReadLogsUntilAsync(id, "ready");

        // The SDK's commit: pause=true with changes and a config body. The container exits (killed
        // here, so that it happens at a known moment) after the request has arrived and before its
        // body is complete.
        var repo = Name("gap-commit");
        using var content = new GatedContent("""{"Labels":""", """{"committed":"yes"}}""");
        content.Headers.ContentType = new("application/json");
        var query = $"container={id}&pause=true&repo={repo}&tag=v1&changes={Uri.EscapeDataString("EXPOSE 8000")}&changes={Uri.EscapeDataString("CMD [\"bash\"]")}";
        var commit = _d.Http.PostAsync($"/v1.50/commit?{query}", content);
        await content.FirstPartSent.WaitAsync(HangGuard);
        var (killed, killBody) = await SendAsync(HttpMethod.Post, $"/v1.50/containers/{id}/kill");
        Assert.True(killed == HttpStatusCode.NoContent, killBody);
        Assert.False((await InspectAsync("containers", id)).GetProperty("State").GetProperty("Running").GetBoolean());
        content.Release();

        using var response = await commit.WaitAsync(HangGuard);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.Created, $"commit: {(int)response.StatusCode} {body}");
        var config = (await InspectAsync("images", $"{repo}:v1")).GetProperty("Config");
        Assert.True(config.GetProperty("ExposedPorts").TryGetProperty("8000/tcp", out _), config.ToString());
        Assert.Equal("[\"bash\"]", config.GetProperty("Cmd").GetRawText());
        Assert.Equal("yes", config.GetProperty("Labels").GetProperty("committed").GetString());
        Assert.Equal("data", await DockerOkAsync("run", "--rm", $"{repo}:v1", "cat", "/committed"));
    }

    [Fact]
    public async Task Commit_pauses_a_running_container_and_publishes_pause_commit_unpause()
    {
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        var id = await CreateAsync("""{"Image":"busybox","Cmd":["sleep","600"]}""");
        await StartAsync(id);
        var (status, body) = await SendAsync(HttpMethod.Post, $"/v1.50/commit?container={id}&pause=true&repo={Name("gap-paused")}", "{}");
        Assert.True(status == HttpStatusCode.Created, body);
        var state = (await InspectAsync("containers", id)).GetProperty("State");
        Assert.True(state.GetProperty("Running").GetBoolean());
        Assert.False(state.GetProperty("Paused").GetBoolean());
        var events = await EventsAsync(id, since);
        Assert.Equal(["container pause", "container commit", "container unpause"], events.Where(e => e is "container pause" or "container commit" or "container unpause"));
        await DockerOkAsync("rm", "-f", id);
    }

    private async Task ReadLogsUntilAsync(string id, string text)
    {
        using var r = await _d.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, $"/v1.50/containers/{id}/logs?follow=1&stdout=1"), HttpCompletionOption.ResponseHeadersRead);
        await using var s = await r.Content.ReadAsStreamAsync();
        var seen = new StringBuilder();
        var buffer = new byte[4096];
        using var cts = new CancellationTokenSource(HangGuard);
        while (!seen.ToString().Contains(text, StringComparison.Ordinal))
        {
            var n = await s.ReadAsync(buffer, cts.Token);
            Assert.True(n > 0, $"the log ended before \"{text}\": {seen}");
            seen.Append(Encoding.UTF8.GetString(buffer, 0, n));
        }
    }

    /// <summary>docker-py 7's create_container bodies (docker.APIClient.create_container_config): unset Healthcheck fields are sent as null.</summary>
    private const string DockerPyCreate =
        """{"ExposedPorts": {"8000/tcp": {}}, "Tty": false, "OpenStdin": false, "StdinOnce": false, "AttachStdin": false, "AttachStdout": true, "AttachStderr": true, "Env": ["A=1"], "Cmd": ["sleep", "600"], "Image": "busybox", "NetworkDisabled": false, "HostConfig": {"Memory": 67108864, "NetworkMode": "default", "RestartPolicy": {"Name": "on-failure", "MaximumRetryCount": 2}, "PortBindings": {"8000/tcp": [{"HostIp": "", "HostPort": ""}]}, "LogConfig": {"Type": "json-file", "Config": {}}}, "NetworkingConfig": {"EndpointsConfig": {"bridge": {}}}, "Labels": {"x": "y"}, "Healthcheck": {"Test": ["CMD", "true"], "Interval": 1000000000, "Timeout": null, "Retries": null, "StartPeriod": null}}""";

    private const string DockerPyNoHealthcheck =
        """{"Tty": false, "OpenStdin": false, "StdinOnce": false, "AttachStdin": false, "AttachStdout": true, "AttachStderr": true, "Cmd": ["true"], "Image": "busybox", "NetworkDisabled": false, "Healthcheck": {"Test": ["NONE"], "Interval": null, "Timeout": null, "Retries": null, "StartPeriod": null, "StartInterval": null}}""";

    /// <summary>
    /// Docker.DotNet's CreateContainerParameters as its System.Text.Json serializer writes an
    /// object with only Image and Cmd set: every other property present, reference types null,
    /// numbers 0, booleans false.
    /// </summary>
    private static string DockerDotNetCreate()
    {
        var config = new JsonObject();
        foreach (var s in new[] { "Hostname", "Domainname", "User", "WorkingDir", "MacAddress", "StopSignal" })
        {
            config[s] = null;
        }

        foreach (var b in new[] { "AttachStdin", "AttachStdout", "AttachStderr", "Tty", "OpenStdin", "StdinOnce", "ArgsEscaped", "NetworkDisabled" })
        {
            config[b] = false;
        }

        foreach (var o in new[] { "ExposedPorts", "Env", "Healthcheck", "Volumes", "Entrypoint", "OnBuild", "Labels", "StopTimeout", "Shell", "NetworkingConfig" })
        {
            config[o] = null;
        }

        config["Image"] = "busybox";
        config["Cmd"] = new JsonArray("true");
        var host = new JsonObject();
        foreach (var n in new[]
        {
            "Binds", "ContainerIDFile", "LogConfig", "NetworkMode", "PortBindings", "RestartPolicy", "VolumeDriver", "VolumesFrom", "ConsoleSize",
            "Annotations", "CapAdd", "CapDrop", "CgroupnsMode", "Dns", "DnsOptions", "DnsSearch", "ExtraHosts", "GroupAdd", "IpcMode", "Cgroup",
            "Links", "PidMode", "SecurityOpt", "StorageOpt", "Tmpfs", "UTSMode", "UsernsMode", "Sysctls", "Runtime", "Isolation", "CgroupParent",
            "BlkioWeightDevice", "BlkioDeviceReadBps", "BlkioDeviceWriteBps", "BlkioDeviceReadIOps", "BlkioDeviceWriteIOps", "CpusetCpus",
            "CpusetMems", "Devices", "DeviceCgroupRules", "DeviceRequests", "MemorySwappiness", "OomKillDisable", "PidsLimit", "Ulimits",
            "Mounts", "MaskedPaths", "ReadonlyPaths", "Init",
        })
        {
            host[n] = null;
        }

        foreach (var n in new[]
        {
            "OomScoreAdj", "ShmSize", "CpuShares", "Memory", "NanoCpus", "BlkioWeight", "CpuPeriod", "CpuQuota", "CpuRealtimePeriod",
            "CpuRealtimeRuntime", "KernelMemory", "KernelMemoryTCP", "MemoryReservation", "MemorySwap", "CpuCount", "CpuPercent",
            "IOMaximumIOps", "IOMaximumBandwidth",
        })
        {
            host[n] = 0;
        }

        foreach (var n in new[] { "AutoRemove", "Privileged", "PublishAllPorts", "ReadonlyRootfs" })
        {
            host[n] = false;
        }

        config["HostConfig"] = host;
        return config.ToJsonString();
    }

    /// <summary>The example body of POST /containers/create in Docker's API reference (moby api/swagger.yaml).</summary>
    private const string SwaggerCreateExample =
        """{"Hostname": "", "Domainname": "", "User": "", "AttachStdin": false, "AttachStdout": true, "AttachStderr": true, "Tty": false, "OpenStdin": false, "StdinOnce": false, "Env": ["FOO=bar", "BAZ=quux"], "Cmd": ["date"], "Entrypoint": "", "Image": "ubuntu", "Labels": {"com.example.vendor": "Acme", "com.example.license": "GPL", "com.example.version": "1.0"}, "Volumes": {"/volumes/data": {}}, "WorkingDir": "", "NetworkDisabled": false, "ExposedPorts": {"22/tcp": {}}, "StopSignal": "SIGTERM", "StopTimeout": 10, "HostConfig": {"Binds": ["/tmp:/tmp"], "Links": ["redis3:redis"], "Memory": 0, "MemorySwap": 0, "MemoryReservation": 0, "NanoCpus": 500000, "CpuPercent": 80, "CpuShares": 512, "CpuPeriod": 100000, "CpuRealtimePeriod": 1000000, "CpuRealtimeRuntime": 10000, "CpuQuota": 50000, "CpusetCpus": "0,1", "CpusetMems": "0,1", "MaximumIOps": 0, "MaximumIOBps": 0, "BlkioWeight": 300, "BlkioWeightDevice": [{}], "BlkioDeviceReadBps": [{}], "BlkioDeviceReadIOps": [{}], "BlkioDeviceWriteBps": [{}], "BlkioDeviceWriteIOps": [{}], "DeviceRequests": [{"Driver": "nvidia", "Count": -1, "DeviceIDs\"": ["0", "1", "GPU-fef8089b-4820-abfc-e83e-94318197576e"], "Capabilities": [["gpu", "nvidia", "compute"]], "Options": {"property1": "string", "property2": "string"}}], "MemorySwappiness": 60, "OomKillDisable": false, "OomScoreAdj": 500, "PidMode": "", "PidsLimit": 0, "PortBindings": {"22/tcp": [{"HostPort": "11022"}]}, "PublishAllPorts": false, "Privileged": false, "ReadonlyRootfs": false, "Dns": ["8.8.8.8"], "DnsOptions": [""], "DnsSearch": [""], "VolumesFrom": ["parent", "other:ro"], "CapAdd": ["NET_ADMIN"], "CapDrop": ["MKNOD"], "GroupAdd": ["newgroup"], "RestartPolicy": {"Name": "", "MaximumRetryCount": 0}, "AutoRemove": true, "NetworkMode": "bridge", "Devices": [], "Ulimits": [{}], "LogConfig": {"Type": "json-file", "Config": {}}, "SecurityOpt": [], "StorageOpt": {}, "CgroupParent": "", "VolumeDriver": "", "ShmSize": 67108864}, "NetworkingConfig": {"EndpointsConfig": {"isolated_nw": {"IPAMConfig": {"IPv4Address": "172.20.30.33", "IPv6Address": "2001:db8:abcd::3033", "LinkLocalIPs": ["169.254.34.68", "fe80::3468"]}, "Links": ["container_1", "container_2"], "Aliases": ["server_x", "server_y"]}, "database_nw": {}}}}""";

    /// <summary>The same document with every value below the top level replaced by null (Go's decoder leaves each such field unset).</summary>
    private static string NullLeaves(string json, params string[] keep)
    {
        static JsonNode? Nullify(JsonNode? n, int depth) => n switch
        {
            JsonObject o when depth == 0 => new JsonObject(o.Select(kv => KeyValuePair.Create(kv.Key, Nullify(kv.Value, depth + 1)))),
            JsonObject o => new JsonObject(o.Select(kv => KeyValuePair.Create(kv.Key, kv.Value is JsonObject ? Nullify(kv.Value, depth + 1) : null))),
            _ => null,
        };

        var doc = Nullify(JsonNode.Parse(json), 0)!.AsObject();
        var original = JsonNode.Parse(json)!.AsObject();
        foreach (var k in keep)
        {
            doc[k] = original[k]?.DeepClone();
        }

        return doc.ToJsonString();
    }

    [Fact]
    public async Task Create_accepts_null_wherever_gos_decoder_does_in_the_sdks_and_the_references_request_shapes()
    {
        var cases = new (string Name, string Body, bool MustCreate)[]
        {
            ("docker-py with a healthcheck", DockerPyCreate, true),
            ("docker-py with Healthcheck NONE", DockerPyNoHealthcheck, true),
            ("Docker.DotNet", DockerDotNetCreate(), true),
            ("docker-py, every nested value null", NullLeaves(DockerPyCreate, "Image"), true),
            ("Docker API reference example", SwaggerCreateExample, false),
            ("Docker API reference example, every nested value null", NullLeaves(SwaggerCreateExample), false),
        };
        foreach (var (name, body, mustCreate) in cases)
        {
            var (status, answer) = await SendAsync(HttpMethod.Post, "/v1.50/containers/create", body);
            Assert.False(answer.Contains("invalid JSON", StringComparison.OrdinalIgnoreCase), $"{name}: {(int)status} {answer}");
            Assert.True(status != HttpStatusCode.InternalServerError, $"{name}: {(int)status} {answer}");
            if (mustCreate)
            {
                Assert.True(status == HttpStatusCode.Created, $"{name}: {(int)status} {answer}");
            }
        }

        var id = await CreateAsync(DockerPyCreate);
        var health = (await InspectAsync("containers", id)).GetProperty("Config").GetProperty("Healthcheck");
        Assert.Equal("""["CMD","true"]""", health.GetProperty("Test").GetRawText());
        Assert.Equal(1000000000, health.GetProperty("Interval").GetInt64());
        Assert.False(health.TryGetProperty("Timeout", out _), health.ToString());
        Assert.False(health.TryGetProperty("StartPeriod", out _), health.ToString());

        // The other request bodies decode nulls the same way.
        var net = Name("gapnull");
        var (netStatus, netBody) = await SendAsync(HttpMethod.Post, "/v1.50/networks/create", """{"Name":"@NET@","CheckDuplicate":null,"Driver":null,"Internal":null,"Attachable":null,"Ingress":null,"EnableIPv6":null,"IPAM":{"Driver":null,"Config":null,"Options":null},"Options":null,"Labels":null}""".Replace("@NET@", net, StringComparison.Ordinal));
        Assert.True(netStatus == HttpStatusCode.Created, netBody);
        var (volStatus, volBody) = await SendAsync(HttpMethod.Post, "/v1.50/volumes/create", """{"Name":null,"Driver":null,"DriverOpts":null,"Labels":null}""");
        Assert.True(volStatus == HttpStatusCode.Created, volBody);
        var (updStatus, updBody) = await SendAsync(HttpMethod.Post, $"/v1.50/containers/{id}/update", """{"CpuShares":null,"Memory":null,"MemorySwap":null,"RestartPolicy":{"Name":"no","MaximumRetryCount":null},"PidsLimit":null}""");
        Assert.True(updStatus == HttpStatusCode.OK, updBody);
    }

    /// <summary>
    /// An HTTP/1.1 request written on the socket by hand and its chunked answer split into its
    /// chunks, as docker-py reads a stream (it decodes JSON chunk by chunk).
    /// </summary>
    private async Task<(string Head, List<string> Chunks)> RawChunksAsync(string method, string path, byte[] body)
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        await socket.ConnectAsync(new System.Net.Sockets.UnixDomainSocketEndPoint(_d.SocketPath));
        await using var stream = new System.Net.Sockets.NetworkStream(socket, ownsSocket: false);
        var head = $"{method} {path} HTTP/1.1\r\nHost: docker\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        await stream.WriteAsync(body);
        using var all = new MemoryStream();
        await stream.CopyToAsync(all).WaitAsync(HangGuard);
        var bytes = all.ToArray();
        var end = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        var responseHead = Encoding.ASCII.GetString(bytes, 0, end);
        Assert.Contains("Transfer-Encoding: chunked", responseHead, StringComparison.OrdinalIgnoreCase);
        var chunks = new List<string>();
        var pos = end + 4;
        while (true)
        {
            var sizeEnd = pos + bytes.AsSpan(pos).IndexOf("\r\n"u8);
            var size = Convert.ToInt32(Encoding.ASCII.GetString(bytes, pos, sizeEnd - pos), 16);
            if (size == 0)
            {
                break;
            }

            chunks.Add(Encoding.UTF8.GetString(bytes, sizeEnd + 2, size));
            pos = sizeEnd + 2 + size + 2;
        }

        return (responseHead, chunks);
    }

    [Fact]
    public async Task Streams_send_each_json_message_whole_in_one_chunk_with_dockers_line_end()
    {
        var archive = await File.ReadAllBytesAsync(await BusyboxArchive.PathAsync());
        foreach (var quiet in new[] { "0", "1" })
        {
            var (head, chunks) = await RawChunksAsync("POST", $"/v1.50/images/load?quiet={quiet}", archive);
            Assert.StartsWith("HTTP/1.1 200", head, StringComparison.Ordinal);
            Assert.Equal(["{\"stream\":\"Loaded image: busybox:latest\\n\"}\r\n"], chunks);
        }

        var (failedHead, failed) = await RawChunksAsync("POST", "/v1.50/images/load", "not a tar archive"u8.ToArray());
        Assert.StartsWith("HTTP/1.1 200", failedHead, StringComparison.Ordinal);
        Assert.Single(failed);
        Assert.StartsWith("{\"errorDetail\":{\"message\":", failed[0], StringComparison.Ordinal);
        Assert.EndsWith("\r\n", failed[0], StringComparison.Ordinal);

        // events (json.Encoder: "\n") until a time in the past: the stream ends, every chunk is one whole event.
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        var id = await CreateAsync("""{"Image":"busybox","Cmd":["true"]}""");
        await DockerOkAsync("rm", id);
        var (_, events) = await RawChunksAsync("GET", $"/v1.50/events?since={since.ToUnixTimeSeconds()}&until={DateTimeOffset.UtcNow.AddSeconds(1).ToUnixTimeSeconds()}", []);
        Assert.True(events.Count >= 2, string.Join("|", events));
        Assert.All(events, e => Assert.Matches("^\\{.*\\}\n$", e));

        // wait (its head is sent at once, so it is chunked): one object, "\n", one chunk.
        var waited = await CreateAsync("""{"Image":"busybox","Cmd":["true"]}""");
        var waitBody = RawChunksAsync("POST", $"/v1.50/containers/{waited}/wait", []);
        await StartAsync(waited);
        var (_, waitChunks) = await waitBody;
        Assert.Equal(["{\"Error\":null,\"StatusCode\":0}\n"], waitChunks);
        await DockerOkAsync("rm", waited);

        // stats of a stopped container, stream=false: one object, "\n", one chunk.
        var stopped = await CreateAsync("""{"Image":"busybox","Cmd":["true"]}""");
        var (_, stats) = await RawChunksAsync("GET", $"/v1.50/containers/{stopped}/stats?stream=false", []);
        Assert.Single(stats);
        Assert.Matches("^\\{.*\\}\n$", stats[0]);
        await DockerOkAsync("rm", stopped);
    }

    [Fact]
    public async Task Image_load_answers_dockers_message_stream_line_by_line_and_a_failure_as_its_errorDetail()
    {
        var archive = await File.ReadAllBytesAsync(await BusyboxArchive.PathAsync());
        foreach (var quiet in new[] { "0", "1" })
        {
            using var r = await _d.Http.PostAsync($"/v1.50/images/load?quiet={quiet}", new ByteArrayContent(archive));
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            Assert.True(r.Headers.TransferEncodingChunked, "a message stream is chunked, as the SDK expects");
            Assert.Equal("application/json", r.Content.Headers.ContentType?.MediaType);
            Assert.Equal("{\"stream\":\"Loaded image: busybox:latest\\n\"}\r\n", await r.Content.ReadAsStringAsync());
        }

        using var bad = await _d.Http.PostAsync("/v1.50/images/load", new ByteArrayContent("not a tar archive"u8.ToArray()));
        Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
        var text = await bad.Content.ReadAsStringAsync();
        Assert.EndsWith("\r\n", text, StringComparison.Ordinal);
        var error = JsonDocument.Parse(text).RootElement;
        Assert.Equal(error.GetProperty("error").GetString(), error.GetProperty("errorDetail").GetProperty("message").GetString());
        Assert.NotEmpty(error.GetProperty("error").GetString()!);

        // import answers the same framing
        var importDir = Path.Combine(_d.Dir, "gap-import");
        Directory.CreateDirectory(importDir);
        await File.WriteAllTextAsync(Path.Combine(importDir, "f"), "x");
        await Shell.CheckAsync("tar", "-C", importDir, "-cf", importDir + ".tar", "f");
        using var import = await _d.Http.PostAsync($"/v1.50/images/create?fromSrc=-&repo={Name("gap-import")}", new ByteArrayContent(await File.ReadAllBytesAsync(importDir + ".tar")));
        Assert.Equal(HttpStatusCode.OK, import.StatusCode);
        Assert.Matches("^\\{\"status\":\"sha256:[0-9a-f]{64}\"\\}\r\n$", await import.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Json_file_max_file_without_max_size_is_accepted_as_dockerd_does()
    {
        var id = await CreateAsync("""{"Image":"busybox","Cmd":["sh","-c","echo logged; exec sleep 600"],"HostConfig":{"LogConfig":{"Type":"json-file","Config":{"max-file":"3"}}}}""");
        await StartAsync(id);
        await ReadLogsUntilAsync(id, "logged");
        var log = (await InspectAsync("containers", id)).GetProperty("HostConfig").GetProperty("LogConfig");
        Assert.Equal("3", log.GetProperty("Config").GetProperty("max-file").GetString());
        var (status, body) = await SendAsync(HttpMethod.Post, "/v1.50/containers/create", """{"Image":"busybox","HostConfig":{"LogConfig":{"Type":"json-file","Config":{"max-file":"0"}}}}""");
        if (status == HttpStatusCode.Created)
        {
            var bad = JsonDocument.Parse(body).RootElement.GetProperty("Id").GetString()!;
            (status, body) = await SendAsync(HttpMethod.Post, $"/v1.50/containers/{bad}/start");
        }

        Assert.Contains("max-file cannot be less than 1", body, StringComparison.Ordinal);
        await DockerOkAsync("rm", "-f", id);
    }

    [Fact]
    public async Task A_legacy_link_is_written_to_hosts_as_dockerd_writes_it()
    {
        // dockerd 20.10: "IP\talias hostname name", the name left out when it is the alias.
        var other = Name("hosted");
        var id = await DockerOkAsync("run", "-d", "--name", other, "busybox", "sleep", "600");
        var named = Name("named");
        await DockerOkAsync("run", "-d", "--name", named, "--hostname", "custom-host", "busybox", "sleep", "600");
        var ip = (await InspectAsync("containers", other)).GetProperty("NetworkSettings").GetProperty("Networks").GetProperty("bridge").GetProperty("IPAddress").GetString();
        var namedIp = (await InspectAsync("containers", named)).GetProperty("NetworkSettings").GetProperty("Networks").GetProperty("bridge").GetProperty("IPAddress").GetString();
        var hosts = await DockerOkAsync("run", "--rm", "--link", $"{other}:alias1", "--link", named, "busybox", "cat", "/etc/hosts");
        Assert.Contains($"{ip}\talias1 {id[..12]} {other}\n", hosts, StringComparison.Ordinal);
        Assert.Contains($"{namedIp}\t{named} custom-host\n", hosts, StringComparison.Ordinal);
        await DockerOkAsync("rm", "-f", other, named);
    }

    [Fact]
    public async Task Legacy_links_give_dockers_variables_and_rm_link_removes_the_link()
    {
        var other = Name("linked");
        await CreateAsync("""{"Image":"busybox","Cmd":["sleep","600"],"Env":["FOO=bar","X=1"],"ExposedPorts":{"80/tcp":{},"53/udp":{},"7000/tcp":{},"7001/tcp":{},"7001/udp":{},"7002/tcp":{}}}""", other);
        await StartAsync(other);
        var ip = (await InspectAsync("containers", other)).GetProperty("NetworkSettings").GetProperty("Networks").GetProperty("bridge").GetProperty("IPAddress").GetString();
        var parent = Name("parent");
        var env = await DockerOkAsync("run", "--name", parent, "--link", $"{other}:my-alias", "busybox", "env");
        // dockerd's order: PATH, HOSTNAME, then the link's variables (lowest port first, TCP before UDP), then the config's.
        var lines = env.Split('\n');
        Assert.StartsWith("PATH=", lines[0], StringComparison.Ordinal);
        Assert.StartsWith("HOSTNAME=", lines[1], StringComparison.Ordinal);
        var link = lines.Where(l => l.StartsWith("MY_ALIAS_", StringComparison.Ordinal)).ToList();
        Assert.Equal(
            [
                $"MY_ALIAS_PORT=udp://{ip}:53",
                $"MY_ALIAS_PORT_7000_TCP_START=tcp://{ip}:7000", $"MY_ALIAS_PORT_7000_TCP_ADDR={ip}", "MY_ALIAS_PORT_7000_TCP_PROTO=tcp", "MY_ALIAS_PORT_7000_TCP_PORT_START=7000",
                $"MY_ALIAS_PORT_7000_TCP_END=tcp://{ip}:7002", "MY_ALIAS_PORT_7000_TCP_PORT_END=7002",
                $"MY_ALIAS_PORT_53_UDP=udp://{ip}:53", $"MY_ALIAS_PORT_53_UDP_ADDR={ip}", "MY_ALIAS_PORT_53_UDP_PORT=53", "MY_ALIAS_PORT_53_UDP_PROTO=udp",
                $"MY_ALIAS_PORT_80_TCP=tcp://{ip}:80", $"MY_ALIAS_PORT_80_TCP_ADDR={ip}", "MY_ALIAS_PORT_80_TCP_PORT=80", "MY_ALIAS_PORT_80_TCP_PROTO=tcp",
                // ADDR and PROTO of 7000/tcp were given by the run's lines above: the later ones replace them in place.
                $"MY_ALIAS_PORT_7000_TCP=tcp://{ip}:7000", "MY_ALIAS_PORT_7000_TCP_PORT=7000",
                $"MY_ALIAS_PORT_7001_TCP=tcp://{ip}:7001", $"MY_ALIAS_PORT_7001_TCP_ADDR={ip}", "MY_ALIAS_PORT_7001_TCP_PORT=7001", "MY_ALIAS_PORT_7001_TCP_PROTO=tcp",
                $"MY_ALIAS_PORT_7001_UDP=udp://{ip}:7001", $"MY_ALIAS_PORT_7001_UDP_ADDR={ip}", "MY_ALIAS_PORT_7001_UDP_PORT=7001", "MY_ALIAS_PORT_7001_UDP_PROTO=udp",
                $"MY_ALIAS_PORT_7002_TCP=tcp://{ip}:7002", $"MY_ALIAS_PORT_7002_TCP_ADDR={ip}", "MY_ALIAS_PORT_7002_TCP_PORT=7002", "MY_ALIAS_PORT_7002_TCP_PROTO=tcp",
                $"MY_ALIAS_NAME=/{parent}/my-alias",
                "MY_ALIAS_ENV_FOO=bar", "MY_ALIAS_ENV_X=1",
            ],
            link);
        Assert.Equal(lines.Length - 1, Array.IndexOf(lines, lines.First(l => l.StartsWith("HOME=", StringComparison.Ordinal))));

        // exec processes get them too
        var running = Name("parent");
        await DockerOkAsync("run", "-d", "--name", running, "--link", other, "busybox", "sleep", "600");
        var execEnv = await DockerOkAsync("exec", running, "env");
        Assert.Contains($"{other.ToUpperInvariant().Replace('-', '_')}_NAME=/{running}/{other}", execEnv, StringComparison.Ordinal);
        Assert.Contains($"{other.ToUpperInvariant().Replace('-', '_')}_ENV_FOO=bar", execEnv, StringComparison.Ordinal);
        await DockerOkAsync("rm", "-f", running);

        Assert.Equal($"[\"/{other}:/{parent}/my-alias\"]", (await InspectAsync("containers", parent)).GetProperty("HostConfig").GetProperty("Links").GetRawText());

        // docker rm --link /parent/alias: the CLI sends the link's name as the path.
        var (status, body) = await SendAsync(HttpMethod.Delete, $"/v1.50/containers//{parent}/my-alias?link=1");
        Assert.True(status == HttpStatusCode.NoContent, $"{(int)status} {body}");
        var links = (await InspectAsync("containers", parent)).GetProperty("HostConfig").GetProperty("Links");
        Assert.True(links.ValueKind == JsonValueKind.Null || links.GetArrayLength() == 0, links.ToString());
        Assert.DoesNotContain("MY_ALIAS_", await DockerOkAsync("start", "-a", parent), StringComparison.Ordinal);
        (status, body) = await SendAsync(HttpMethod.Delete, $"/v1.50/containers/{parent}/my-alias?link=1");
        Assert.Equal(HttpStatusCode.NotFound, status);
        Assert.Contains($"No such container: {parent}/my-alias", body, StringComparison.Ordinal);
        (status, body) = await SendAsync(HttpMethod.Delete, $"/v1.50/containers/{other}?link=1");
        Assert.Equal(HttpStatusCode.InternalServerError, status);
        Assert.Contains("Conflict, cannot remove the default link name of the container", body, StringComparison.Ordinal);
        await DockerOkAsync("rm", "-f", parent, other);
    }

    [Fact]
    public async Task Endpoint_mac_addresses_show_in_inspect_and_an_ipam_config_without_driver_is_the_default_driver()
    {
        var net = Name("gapmac");
        var (status, body) = await SendAsync(HttpMethod.Post, "/v1.50/networks/create", """{"Name":"@NET@","IPAM":{"Config":[{"Subnet":"10.231.7.0/24"}]}}""".Replace("@NET@", net, StringComparison.Ordinal));
        Assert.True(status == HttpStatusCode.Created, body);
        var ipam = (await InspectAsync("networks", net)).GetProperty("IPAM");
        Assert.Equal("default", ipam.GetProperty("Driver").GetString());
        Assert.Equal("10.231.7.0/24", ipam.GetProperty("Config")[0].GetProperty("Subnet").GetString());
        var other = Name("gapmac2");
        (status, body) = await SendAsync(HttpMethod.Post, "/v1.50/networks/create", """{"Name":"@OTHER@","IPAM":{"Driver":"","Config":[{"Subnet":"10.231.8.0/24"}]}}""".Replace("@OTHER@", other, StringComparison.Ordinal));
        Assert.True(status == HttpStatusCode.Created, body);
        Assert.Equal("default", (await InspectAsync("networks", other)).GetProperty("IPAM").GetProperty("Driver").GetString());

        var id = await CreateAsync("""{"Image":"busybox","Cmd":["sleep","600"],"HostConfig":{"NetworkMode":"@NET@"},"NetworkingConfig":{"EndpointsConfig":{"@NET@":{"MacAddress":"02:42:0a:e7:07:99"}}}}""".Replace("@NET@", net, StringComparison.Ordinal));
        (status, body) = await SendAsync(HttpMethod.Post, $"/v1.50/networks/{other}/connect", """{"Container":"@ID@","EndpointConfig":{"MacAddress":"02:42:0a:e7:08:98"}}""".Replace("@ID@", id, StringComparison.Ordinal));
        Assert.True(status == HttpStatusCode.OK, body);
        var networks = (await InspectAsync("containers", id)).GetProperty("NetworkSettings").GetProperty("Networks");
        Assert.Equal("02:42:0a:e7:07:99", networks.GetProperty(net).GetProperty("MacAddress").GetString());
        Assert.Equal("02:42:0a:e7:08:98", networks.GetProperty(other).GetProperty("MacAddress").GetString());

        await StartAsync(id);
        networks = (await InspectAsync("containers", id)).GetProperty("NetworkSettings").GetProperty("Networks");
        Assert.Equal("02:42:0a:e7:07:99", networks.GetProperty(net).GetProperty("MacAddress").GetString());
        Assert.Equal("02:42:0a:e7:08:98", networks.GetProperty(other).GetProperty("MacAddress").GetString());

        // connecting a running container
        var third = Name("gapmac3");
        (status, body) = await SendAsync(HttpMethod.Post, "/v1.50/networks/create", """{"Name":"@THIRD@"}""".Replace("@THIRD@", third, StringComparison.Ordinal));
        Assert.True(status == HttpStatusCode.Created, body);
        (status, body) = await SendAsync(HttpMethod.Post, $"/v1.50/networks/{third}/connect", """{"Container":"@ID@","EndpointConfig":{"MacAddress":"02:42:0a:e7:09:97"}}""".Replace("@ID@", id, StringComparison.Ordinal));
        Assert.True(status == HttpStatusCode.OK, body);
        networks = (await InspectAsync("containers", id)).GetProperty("NetworkSettings").GetProperty("Networks");
        Assert.Equal("02:42:0a:e7:09:97", networks.GetProperty(third).GetProperty("MacAddress").GetString());
        Assert.Contains("link/ether 02:42:0a:e7:09:97 ", await DockerOkAsync("exec", id, "ip", "-o", "link"), StringComparison.Ordinal);
        await DockerOkAsync("rm", "-f", id);
        await DockerOkAsync("network", "rm", net, other, third);
    }

    [Fact]
    public async Task Events_of_an_exit_come_in_dockers_order_die_then_network_disconnect_then_destroy()
    {
        var since = DateTimeOffset.UtcNow.AddSeconds(-1);
        var id = await CreateAsync("""{"Image":"busybox","Cmd":["true"]}""");
        var wait = await BeginWaitAsync(id, "next-exit");
        await StartAsync(id);
        Assert.Equal(0, await WaitStatusAsync(wait));
        await DockerOkAsync("rm", id);
        var events = await EventsAsync(id, since);
        Assert.Equal(["container create", "network connect", "container start", "container die", "network disconnect", "container destroy"], events);
    }

    [Fact]
    public async Task Info_reports_the_backing_filesystem_of_the_data_root()
    {
        var info = JsonDocument.Parse((await SendAsync(HttpMethod.Get, "/v1.50/info")).Body).RootElement;
        var status = info.GetProperty("DriverStatus").EnumerateArray().ToDictionary(p => p[0].GetString()!, p => p[1].GetString()!);
        var fsType = (await Shell.CheckAsync("stat", "-f", "-c", "%T", _d.DataRoot)).Out.Trim();
        Assert.Equal(fsType == "ext2/ext3" ? "extfs" : fsType, status["Backing Filesystem"]);
        Assert.Equal("true", status["Supports d_type"]);
    }
}
