using System.Text;
using System.Text.Json.Nodes;
using Berth.Client.Http;

namespace Berth.Client;

/// <summary>A response head and its body stream. Dispose to close the connection.</summary>
public sealed class EngineResponse : IDisposable
{
    private readonly SocketConnection _connection;

    public EngineResponse(SocketConnection connection, int statusCode, Dictionary<string, string> headers, Stream body)
    {
        _connection = connection;
        StatusCode = statusCode;
        Headers = headers;
        Body = body;
    }

    public int StatusCode { get; }

    public IReadOnlyDictionary<string, string> Headers { get; }

    public Stream Body { get; }

    /// <summary>The raw connection, for hijacked (upgraded) streams.</summary>
    public SocketConnection Connection => _connection;

    public string? Header(string name) => Headers.TryGetValue(name, out var v) ? v : null;

    public async Task<string> ReadAsStringAsync(CancellationToken cancellationToken)
    {
        using var reader = new StreamReader(Body, Encoding.UTF8, false, 16 * 1024, leaveOpen: true);
        return await reader.ReadToEndAsync(cancellationToken);
    }

    public async Task<byte[]> ReadAsBytesAsync(CancellationToken cancellationToken)
    {
        using var ms = new MemoryStream();
        await Body.CopyToAsync(ms, cancellationToken);
        return ms.ToArray();
    }

    public async Task<JsonNode?> ReadJsonAsync(CancellationToken cancellationToken)
    {
        var bytes = await ReadAsBytesAsync(cancellationToken);
        return bytes.Length == 0 ? null : JsonNode.Parse(bytes);
    }

    public void Dispose() => _connection.Dispose();
}
