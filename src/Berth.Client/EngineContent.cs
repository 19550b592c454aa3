namespace Berth.Client;

/// <summary>A request body: bytes of known length, or a stream sent with chunked encoding.</summary>
public sealed record EngineContent(string ContentType, ReadOnlyMemory<byte> Bytes, Stream? Stream)
{
    public static EngineContent Json(string json) => new("application/json", global::System.Text.Encoding.UTF8.GetBytes(json), null);

    public static EngineContent Tar(Stream stream) => new("application/x-tar", ReadOnlyMemory<byte>.Empty, stream);

    public static EngineContent FromStream(string contentType, Stream stream) => new(contentType, ReadOnlyMemory<byte>.Empty, stream);
}
