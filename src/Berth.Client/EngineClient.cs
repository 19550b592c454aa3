using System.Globalization;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Berth.Api;
using Berth.Client.Http;

namespace Berth.Client;

/// <summary>
/// A small HTTP/1.1 client for the Engine API over a unix socket or TCP. One connection per
/// request (unix sockets make that cheap), version negotiation like docker's client (GET /_ping,
/// the <c>Api-Version</c> header, the lower of it and <see cref="MaxVersion"/>), and hijacked
/// (upgraded) connections for attach and exec.
/// </summary>
public sealed class EngineClient
{
    public const string MaxVersion = ApiVersions.Current;

    private readonly string? _pinnedVersion;
    private string? _version;
    private PingResult? _ping;

    public EngineClient(DaemonEndpoint endpoint, string? pinnedVersion = null)
    {
        Endpoint = endpoint;
        _pinnedVersion = string.IsNullOrEmpty(pinnedVersion) ? null : pinnedVersion;
    }

    public DaemonEndpoint Endpoint { get; }

    public string UserAgent { get; init; } = "Docker-Client/28.2.2 (linux)";

    /// <summary>Headers added to every request (docker's config.json HttpHeaders).</summary>
    public Dictionary<string, string> ExtraHeaders { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>The version requests use; negotiates on first use.</summary>
    public async Task<string> GetVersionAsync(CancellationToken cancellationToken)
    {
        if (_version is not null)
        {
            return _version;
        }

        if (_pinnedVersion is not null)
        {
            _version = _pinnedVersion;
            return _version;
        }

        var ping = await PingAsync(cancellationToken);
        _version = ping.ApiVersion is { } server && ApiVersions.TryParse(server, out _) && ApiVersions.Compare(server, MaxVersion) < 0
            ? server
            : MaxVersion;
        return _version;
    }

    /// <summary>The negotiated version if negotiation already happened, else null.</summary>
    public string? NegotiatedVersion => _version;

    public async Task<PingResult> PingAsync(CancellationToken cancellationToken)
    {
        if (_ping is not null)
        {
            return _ping;
        }

        using var response = await SendRawAsync("GET", "/_ping", null, null, cancellationToken);
        await response.ReadAsBytesAsync(cancellationToken);
        if (response.StatusCode >= 500 && response.Header("Api-Version") is null)
        {
            throw new EngineApiException(response.StatusCode, $"request returned {StatusText(response.StatusCode)} for API route and version http://{HostHeader}/_ping, check if the server supports the requested API version");
        }

        _ping = new PingResult(
            response.Header("Api-Version"),
            response.Header("OSType"),
            string.Equals(response.Header("Docker-Experimental"), "true", StringComparison.OrdinalIgnoreCase),
            response.Header("Builder-Version"),
            response.Header("Swarm"));
        return _ping;
    }

    /// <summary>Sends a versioned request; error statuses become <see cref="EngineApiException"/>.</summary>
    public async Task<EngineResponse> SendAsync(string method, string path, EngineQuery? query = null, EngineContent? content = null, IReadOnlyDictionary<string, string>? headers = null, CancellationToken cancellationToken = default)
    {
        var version = await GetVersionAsync(cancellationToken);
        var response = await SendRawAsync(method, "/v" + version + path + (query?.ToString() ?? string.Empty), content, headers, cancellationToken);
        if (response.StatusCode >= 400)
        {
            using (response)
            {
                throw await ToExceptionAsync(response, cancellationToken);
            }
        }

        return response;
    }

    public async Task<JsonNode?> GetJsonAsync(string path, EngineQuery? query = null, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync("GET", path, query, null, null, cancellationToken);
        return await response.ReadJsonAsync(cancellationToken);
    }

    public async Task<JsonNode?> PostJsonAsync(string path, EngineQuery? query = null, JsonNode? body = null, CancellationToken cancellationToken = default)
    {
        var content = body is null ? null : EngineContent.Json(body.ToJsonString());
        using var response = await SendAsync("POST", path, query, content, null, cancellationToken);
        return await response.ReadJsonAsync(cancellationToken);
    }

    public async Task DeleteAsync(string path, EngineQuery? query = null, CancellationToken cancellationToken = default)
    {
        using var response = await SendAsync("DELETE", path, query, null, null, cancellationToken);
        await response.ReadAsBytesAsync(cancellationToken);
    }

    /// <summary>
    /// Sends a request asking to upgrade the connection (<c>Connection: Upgrade</c>,
    /// <c>Upgrade: tcp</c>) and returns the raw connection once the engine answers 101 (or 200).
    /// </summary>
    public async Task<SocketConnection> HijackAsync(string method, string path, EngineQuery? query, EngineContent? content, CancellationToken cancellationToken)
    {
        var version = await GetVersionAsync(cancellationToken);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["Connection"] = "Upgrade",
            ["Upgrade"] = "tcp",
        };
        var response = await SendRawAsync(method, "/v" + version + path + (query?.ToString() ?? string.Empty), content, headers, cancellationToken);
        if (response.StatusCode >= 400)
        {
            using (response)
            {
                throw await ToExceptionAsync(response, cancellationToken);
            }
        }

        return response.Connection;
    }

    public async Task<EngineResponse> SendRawAsync(string method, string pathAndQuery, EngineContent? content, IReadOnlyDictionary<string, string>? headers, CancellationToken cancellationToken)
    {
        SocketConnection connection;
        try
        {
            connection = await SocketConnection.ConnectAsync(Endpoint, cancellationToken);
        }
        catch (SocketException e)
        {
            throw new EngineConnectionException(ConnectFailureMessage(), e);
        }

        try
        {
            await WriteRequestAsync(connection, method, pathAndQuery, content, headers, cancellationToken);
            return await ReadResponseAsync(connection, method, cancellationToken);
        }
        catch (Exception e) when (e is SocketException or IOException && e is not EngineApiException)
        {
            connection.Dispose();
            throw new EngineConnectionException(
                e is IOException { InnerException: SocketException } or SocketException
                    ? ConnectFailureMessage()
                    : "error during connect: " + e.Message,
                e);
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public string ConnectFailureMessage() =>
        $"Cannot connect to the Docker daemon at {Endpoint.Original}. Is the docker daemon running?";

    private string HostHeader => Endpoint.IsUnix ? "api.moby.localhost" : $"{Endpoint.Host}:{Endpoint.Port}";

    private static async Task<EngineApiException> ToExceptionAsync(EngineResponse response, CancellationToken cancellationToken)
    {
        string text;
        try
        {
            text = await response.ReadAsStringAsync(cancellationToken);
        }
        catch (IOException)
        {
            text = string.Empty;
        }

        var message = text.Trim();
        if (message.StartsWith('{'))
        {
            try
            {
                if (JsonNode.Parse(message) is JsonObject o && o["message"] is JsonValue m && m.TryGetValue<string>(out var s))
                {
                    message = s;
                }
            }
            catch (JsonException)
            {
            }
        }

        if (message.Length == 0)
        {
            message = StatusText(response.StatusCode);
        }

        return new EngineApiException(response.StatusCode, message);
    }

    private static string StatusText(int status) => status switch
    {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "page not found",
        409 => "Conflict",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        _ => status.ToString(CultureInfo.InvariantCulture),
    };

    private async Task WriteRequestAsync(SocketConnection connection, string method, string pathAndQuery, EngineContent? content, IReadOnlyDictionary<string, string>? headers, CancellationToken cancellationToken)
    {
        var head = new StringBuilder(256);
        head.Append(method).Append(' ').Append(pathAndQuery).Append(" HTTP/1.1\r\n");
        head.Append("Host: ").Append(HostHeader).Append("\r\n");
        head.Append("User-Agent: ").Append(UserAgent).Append("\r\n");
        foreach (var h in ExtraHeaders)
        {
            head.Append(h.Key).Append(": ").Append(h.Value).Append("\r\n");
        }

        if (headers is not null)
        {
            foreach (var h in headers)
            {
                head.Append(h.Key).Append(": ").Append(h.Value).Append("\r\n");
            }
        }

        if (content is not null)
        {
            head.Append("Content-Type: ").Append(content.ContentType).Append("\r\n");
            if (content.Stream is null)
            {
                head.Append("Content-Length: ").Append(content.Bytes.Length.ToString(CultureInfo.InvariantCulture)).Append("\r\n");
            }
            else
            {
                head.Append("Transfer-Encoding: chunked\r\n");
            }
        }
        else if (method is "POST" or "PUT")
        {
            head.Append("Content-Length: 0\r\n");
        }

        head.Append("\r\n");
        await connection.WriteAsync(Encoding.UTF8.GetBytes(head.ToString()), cancellationToken);
        if (content is null)
        {
            return;
        }

        if (content.Stream is null)
        {
            if (!content.Bytes.IsEmpty)
            {
                await connection.WriteAsync(content.Bytes, cancellationToken);
            }

            return;
        }

        var buffer = new byte[64 * 1024];
        while (true)
        {
            var n = await content.Stream.ReadAsync(buffer.AsMemory(), cancellationToken);
            if (n == 0)
            {
                break;
            }

            var prefix = Encoding.ASCII.GetBytes(n.ToString("x", CultureInfo.InvariantCulture) + "\r\n");
            await connection.WriteAsync(prefix, cancellationToken);
            await connection.WriteAsync(buffer.AsMemory(0, n), cancellationToken);
            await connection.WriteAsync("\r\n"u8.ToArray(), cancellationToken);
        }

        await connection.WriteAsync("0\r\n\r\n"u8.ToArray(), cancellationToken);
    }

    private static async Task<EngineResponse> ReadResponseAsync(SocketConnection connection, string method, CancellationToken cancellationToken)
    {
        string? statusLine;
        int status;
        Dictionary<string, string> headers;
        do
        {
            statusLine = await connection.ReadLineAsync(cancellationToken);
            if (statusLine is null)
            {
                throw new IOException("the engine closed the connection without an answer (EOF)");
            }

            var parts = statusLine.Split(' ', 3);
            if (parts.Length < 2 || !parts[0].StartsWith("HTTP/", StringComparison.Ordinal) || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out status))
            {
                throw new IOException($"malformed HTTP status line from the engine: {statusLine}");
            }

            headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            while (true)
            {
                var line = await connection.ReadLineAsync(cancellationToken);
                if (string.IsNullOrEmpty(line))
                {
                    break;
                }

                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if (colon > 0)
                {
                    var name = line[..colon].Trim();
                    var value = line[(colon + 1)..].Trim();
                    headers[name] = headers.TryGetValue(name, out var existing) ? existing + ", " + value : value;
                }
            }
        }
        while (status == 100);

        Stream body;
        if (status == 101 || method == "HEAD" || status == 204 || status == 304)
        {
            body = status == 101 ? connection : Stream.Null;
        }
        else if (headers.TryGetValue("Transfer-Encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = new ChunkedReadStream(connection);
        }
        else if (headers.TryGetValue("Content-Length", out var cl) && long.TryParse(cl, CultureInfo.InvariantCulture, out var length))
        {
            body = new ContentLengthReadStream(connection, length);
        }
        else
        {
            body = connection;
        }

        return new EngineResponse(connection, status, headers, body);
    }
}
