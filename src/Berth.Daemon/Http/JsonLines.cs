using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Berth.Daemon.Http;

/// <summary>
/// One message of a streamed JSON answer (events, stats, image load/import): the object and its
/// line end go out as one write, so as one HTTP chunk, and are flushed. docker-py splits these
/// streams at chunk boundaries and fails on a chunk that holds only the line end ("Expecting
/// value: line 2 column 1").
/// </summary>
public static class JsonLines
{
    /// <summary>dockerd's json.Encoder streams (events, stats) end each object with "\n".</summary>
    public static ReadOnlyMemory<byte> Lf { get; } = "\n"u8.ToArray();

    /// <summary>dockerd's progress streams (load, import, pull, push, build) end each message with "\r\n".</summary>
    public static ReadOnlyMemory<byte> CrLf { get; } = "\r\n"u8.ToArray();

    public static async Task WriteAsync<T>(Stream body, T value, JsonTypeInfo<T> type, ReadOnlyMemory<byte> lineEnd, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        var json = JsonSerializer.SerializeToUtf8Bytes(value, type);
        var line = new byte[json.Length + lineEnd.Length];
        json.CopyTo(line, 0);
        lineEnd.Span.CopyTo(line.AsSpan(json.Length));
        await body.WriteAsync(line, cancellationToken).ConfigureAwait(false);
        await body.FlushAsync(cancellationToken).ConfigureAwait(false);
    }
}
