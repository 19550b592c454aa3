using System.Text.Json;
using Berth.Containers.Query;
using Berth.Containers.Store;

namespace Berth.Tests.Unit.Containers;

public sealed class ContainerRecordTests
{
    [Fact]
    public void A_record_written_before_networking_existed_reads_with_no_endpoints()
    {
        const string old = """
            {"Id":"0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef","Name":"old","Created":"2026-11-22T10:00:00Z",
             "Path":"sh","Config":{"Image":"busybox"},"HostConfig":{"NetworkMode":"bridge"},"ImageId":"sha256:00",
             "Directory":"/tmp/x","LogPath":"/tmp/x/log"}
            """;
        var c = JsonSerializer.Deserialize(old, ContainerRecordJsonContext.Default.Container)!;
        Assert.NotNull(c.NetworkEndpoints);
        Assert.Empty(c.NetworkEndpoints);
        Assert.Null(c.Network);
        Assert.Equal(["bridge"], ContainerFilter.NetworkNames(c));
    }
}
