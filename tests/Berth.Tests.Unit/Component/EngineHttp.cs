using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Berth.Tests.Unit.Component;

/// <summary>Requests as docker clients send them, and the raw side of hijacked streams.</summary>
public static class EngineHttp
{
    public static async Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> SendAsync(this HttpClient http, HttpMethod method, string path, string? json = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? null : JsonNode.Parse(text), response);
    }

    public static Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> GetJsonAsync(this HttpClient http, string path) => http.SendAsync(HttpMethod.Get, path);

    public static Task<(HttpStatusCode Status, JsonNode? Body, HttpResponseMessage Response)> PostJsonAsync(this HttpClient http, string path, string? json = null) => http.SendAsync(HttpMethod.Post, path, json);

    /// <summary>Sends an upgrade request (as the docker CLI does for attach and exec start) and reads the response head.</summary>
    public static async Task<(string Head, NetworkStream Stream)> HijackAsync(Socket socket, string path, string? json = null)
    {
        var body = json is null ? [] : Encoding.UTF8.GetBytes(json);
        var head = $"POST {path} HTTP/1.1\r\nHost: localhost\r\nUser-Agent: Docker-Client/28.2.2 (linux)\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n"
            + (json is null ? string.Empty : $"Content-Type: application/json\r\nContent-Length: {body.Length}\r\n") + "\r\n";
        var stream = new NetworkStream(socket, ownsSocket: true);
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head).Concat(body).ToArray());

        // Byte by byte up to the blank line, so nothing of the stream after it is consumed here.
        var read = new List<byte>();
        var one = new byte[1];
        while (read.Count < 4 || !(read[^4] == '\r' && read[^3] == '\n' && read[^2] == '\r' && read[^1] == '\n'))
        {
            if (await stream.ReadAsync(one) == 0)
            {
                break;
            }

            read.Add(one[0]);
        }

        return (Encoding.ASCII.GetString([.. read]), stream);
    }

    /// <summary>Reads stdcopy frames until the end of the stream: (stdout, stderr).</summary>
    public static async Task<(string Stdout, string Stderr)> ReadFramesAsync(Stream stream)
    {
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        var header = new byte[8];
        while (true)
        {
            try
            {
                await stream.ReadExactlyAsync(header);
            }
            catch (EndOfStreamException)
            {
                return (stdout.ToString(), stderr.ToString());
            }

            var payload = new byte[BinaryPrimitives.ReadUInt32BigEndian(header.AsSpan(4))];
            await stream.ReadExactlyAsync(payload);
            (header[0] == 2 ? stderr : stdout).Append(Encoding.UTF8.GetString(payload));
        }
    }
}
