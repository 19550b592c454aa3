using System.Text;
using System.Text.Json;

namespace Berth.Tests.Integration.Harness;

/// <summary>Table tests of the API edge: one raw request, and the status and message dockerd gives for it.</summary>
public static class ApiAnswer
{
    /// <summary>
    /// Sends <paramref name="method"/> <paramref name="path"/> (already versioned) with an optional
    /// JSON body; an error status must carry <paramref name="message"/> in its JSON "message",
    /// a success must contain it in its body.
    /// </summary>
    public static async Task AssertAsync(HttpClient http, string method, string path, string? body, int status, string message)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        using var r = await http.SendAsync(request);
        var text = await r.Content.ReadAsStringAsync();
        Assert.True((int)r.StatusCode == status, $"{method} {path}: {(int)r.StatusCode} {text}");
        if (status >= 400)
        {
            using var doc = JsonDocument.Parse(text);
            Assert.Contains(message, doc.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
        else
        {
            Assert.Contains(message, text, StringComparison.Ordinal);
        }
    }
}
