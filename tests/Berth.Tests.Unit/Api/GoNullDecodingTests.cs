using System.Text.Json;
using Berth.Api.Json;

namespace Berth.Tests.Unit.Api;

/// <summary>Request bodies decode null as Go's encoding/json does: the field stays unset.</summary>
public sealed class GoNullDecodingTests
{
    [Fact]
    public void Null_numbers_and_booleans_read_as_unset_in_every_request_dto()
    {
        var create = JsonSerializer.Deserialize(
            """{"Image":"busybox","Tty":null,"StopTimeout":null,"Healthcheck":{"Test":["CMD","true"],"Interval":null,"Timeout":null,"StartPeriod":null,"StartInterval":null,"Retries":null},"HostConfig":{"Memory":null,"BlkioWeight":null,"IOMaximumIOps":null,"OomScoreAdj":null,"Privileged":null,"PidsLimit":null}}""",
            ContainersJsonContext.Default.ContainerCreateRequest)!;
        Assert.Equal(0, create.Healthcheck!.StartPeriod);
        Assert.Equal(0, create.Healthcheck.Retries);
        Assert.False(create.Tty);
        Assert.Null(create.StopTimeout);
        Assert.Equal(0, create.HostConfig!.Memory);
        Assert.Null(create.HostConfig.PidsLimit);
        var network = JsonSerializer.Deserialize("""{"Name":"n","Internal":null,"Attachable":null,"EnableIPv6":null}""", NetworksJsonContext.Default.NetworkCreateRequest)!;
        Assert.False(network.Internal);
    }

    [Fact]
    public void Numbers_still_decode_from_numbers_and_strings_and_other_tokens_are_refused()
    {
        var h = JsonSerializer.Deserialize("""{"Interval":5,"Timeout":"7","Retries":3}""", ContainersJsonContext.Default.HealthConfig)!;
        Assert.Equal(5, h.Interval);
        Assert.Equal(7, h.Timeout);
        Assert.Equal(3, h.Retries);
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize("""{"Interval":[1]}""", ContainersJsonContext.Default.HealthConfig));
        Assert.Throws<JsonException>(() => JsonSerializer.Deserialize("""{"Interval":"soon"}""", ContainersJsonContext.Default.HealthConfig));
        Assert.Equal("""{"Interval":5}""", JsonSerializer.Serialize(new Berth.Api.Containers.HealthConfig { Interval = 5 }, ContainersJsonContext.Default.HealthConfig));
    }
}
