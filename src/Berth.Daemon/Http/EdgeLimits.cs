namespace Berth.Daemon.Http;

/// <summary>
/// The sizes and times the HTTP edge accepts, set on Kestrel and used by the connection
/// middleware, which looks at request heads before Kestrel does. Go's net/http, which dockerd
/// uses, allows 1 MiB of request head (DefaultMaxHeaderBytes) including the request line;
/// docker clients send long filter queries and registry-auth headers, so the limits follow it.
/// </summary>
public sealed record EdgeLimits
{
    /// <summary>Request line (method, target with its query, version).</summary>
    public int MaxRequestLineSize { get; init; } = 64 * 1024;

    /// <summary>Every header line together (Go: 1 MiB for the whole head).</summary>
    public int MaxRequestHeadersTotalSize { get; init; } = 1024 * 1024;

    public int MaxRequestHeaderCount { get; init; } = 200;

    /// <summary>Time a client has to send a whole request head.</summary>
    public TimeSpan RequestHeadersTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>An attach or exec start body (a small JSON object).</summary>
    public int MaxHijackBody { get; init; } = 1024 * 1024;

    /// <summary>Any request body not on a streaming route (JSON in practice, whatever its Content-Type says).</summary>
    public long MaxBody { get; init; } = 8 * 1024 * 1024;
}
