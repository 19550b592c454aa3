using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Berth.Tests.Unit.Component;

/// <summary>
/// POST /images/load: without quiet (quiet=0), each layer registered for the first time gets
/// dockerd's "Loading layer" progress line before the "Loaded image" line; quiet loads (dockerd's
/// default when the parameter is absent) and layers the engine already has get none.
/// </summary>
public sealed class ImageLoadProgressTests(InProcessDaemon daemon) : IClassFixture<InProcessDaemon>
{
    private async Task<string> LoadAsync(byte[] archive, string query)
    {
        using var content = new ByteArrayContent(archive);
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-tar");
        using var response = await daemon.Http.PostAsync("/v1.41/images/load" + query, content);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, text);
        return text;
    }

    [Fact]
    public async Task A_load_without_quiet_streams_loading_layer_lines_for_new_layers_only()
    {
        var salt = Guid.NewGuid().ToString("N");
        var archive = TestImage.Archive("progress:v1", out var layer, salt);
        var diffId = Convert.ToHexStringLower(SHA256.HashData(layer));

        var text = await LoadAsync(archive, "?quiet=0");
        Assert.EndsWith("\r\n", text, StringComparison.Ordinal);
        var lines = text.Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(2, lines.Length);
        var progress = JsonNode.Parse(lines[0])!.AsObject();
        Assert.Equal(["status", "progressDetail", "progress", "id"], progress.Select(p => p.Key));
        Assert.Equal("Loading layer", progress["status"]!.GetValue<string>());
        Assert.Equal(diffId[..12], progress["id"]!.GetValue<string>());
        Assert.Equal(layer.Length, progress["progressDetail"]!["current"]!.GetValue<long>());
        Assert.Equal(layer.Length, progress["progressDetail"]!["total"]!.GetValue<long>());
        Assert.StartsWith("[" + new string('=', 50) + ">] ", progress["progress"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("{\"stream\":\"Loaded image: progress:v1\\n\"}", lines[1]);

        // The engine has the layer now: dockerd reports nothing for it.
        Assert.Equal("{\"stream\":\"Loaded image: progress:v1\\n\"}\r\n", await LoadAsync(archive, "?quiet=0"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("?quiet=1")]
    [InlineData("?quiet=true")]
    public async Task A_quiet_load_has_no_progress_lines(string query)
    {
        var tag = "quiet" + Guid.NewGuid().ToString("N")[..8] + ":v1";
        var archive = TestImage.Archive(tag, out _, Guid.NewGuid().ToString("N"));
        Assert.Equal("{\"stream\":\"Loaded image: " + tag + "\\n\"}\r\n", await LoadAsync(archive, query));
    }
}
