using Berth.Api.Json;
using Berth.Daemon.Http.Images;

namespace Berth.Tests.Unit.Images;

/// <summary>The progress lines of a message stream, as dockerd 20.10 wrote them for `docker load` of busybox.</summary>
public sealed class ProgressMessageTests
{
    [Theory]
    [InlineData(32768L, 2140160L, "{\"status\":\"Loading layer\",\"progressDetail\":{\"current\":32768,\"total\":2140160},\"progress\":\"[\\u003e                                                  ]  32.77kB/2.14MB\",\"id\":\"deeca6d0ca3e\"}")]
    [InlineData(163840L, 2140160L, "{\"status\":\"Loading layer\",\"progressDetail\":{\"current\":163840,\"total\":2140160},\"progress\":\"[===\\u003e                                               ]  163.8kB/2.14MB\",\"id\":\"deeca6d0ca3e\"}")]
    [InlineData(2140160L, 2140160L, "{\"status\":\"Loading layer\",\"progressDetail\":{\"current\":2140160,\"total\":2140160},\"progress\":\"[==================================================\\u003e]   2.14MB/2.14MB\",\"id\":\"deeca6d0ca3e\"}")]
    public void Loading_layer_lines_match_dockerd(long current, long total, string expected)
    {
        var message = ImagesMapper.ToProgressMessage("Loading layer", "deeca6d0ca3e", current, total);
        var ours = System.Text.Json.Nodes.JsonNode.Parse(System.Text.Json.JsonSerializer.Serialize(message, ImagesJsonContext.Default.ImageStreamMessage))!.AsObject();
        var dockerd = System.Text.Json.Nodes.JsonNode.Parse(expected)!.AsObject();

        // Same members in the same order with the same values (Go escapes '>' as \u003e, .NET as \u003E: equal JSON).
        Assert.Equal(dockerd.Select(p => p.Key), ours.Select(p => p.Key));
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(dockerd, ours), ours.ToJsonString());
    }
}
