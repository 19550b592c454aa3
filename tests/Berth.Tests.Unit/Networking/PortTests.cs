using Berth.Core.Errors;
using Berth.Networking.Ports;

namespace Berth.Tests.Unit.Networking;

public sealed class PortTests
{
    private static IReadOnlyDictionary<string, IReadOnlyList<PortBindingRequest>> Bindings(params (string Key, string Ip, string Port)[] items) =>
        items.GroupBy(i => i.Key).ToDictionary(g => g.Key, g => (IReadOnlyList<PortBindingRequest>)g.Select(i => new PortBindingRequest(i.Ip, i.Port)).ToList());

    [Fact]
    public void Port_bindings_expand_to_specs_with_defaults()
    {
        var specs = PublishSpec.FromBindings(Bindings(("80/tcp", "127.0.0.1", "8080"), ("53/udp", "", ""), ("81", "", "9000-9010")), false, []);
        Assert.Equal(
            [
                new PublishSpec(53, "udp", "0.0.0.0", 0, 0),
                new PublishSpec(80, "tcp", "127.0.0.1", 8080, 8080),
                new PublishSpec(81, "tcp", "0.0.0.0", 9000, 9010),
            ],
            specs);
    }

    [Fact]
    public void Container_ranges_map_port_by_port_onto_host_ranges()
    {
        var specs = PublishSpec.FromBindings(Bindings(("80-81/tcp", "", "8080-8081")), false, []);
        Assert.Equal([new PublishSpec(80, "tcp", "0.0.0.0", 8080, 8080), new PublishSpec(81, "tcp", "0.0.0.0", 8081, 8081)], specs);
    }

    [Fact]
    public void Publish_all_adds_random_ports_for_exposed_ports_without_a_binding()
    {
        var specs = PublishSpec.FromBindings(Bindings(("80/tcp", "", "8080")), true, ["80/tcp", "443/tcp", "53/udp"]);
        Assert.Equal(
            [
                new PublishSpec(53, "udp", "0.0.0.0", 0, 0),
                new PublishSpec(80, "tcp", "0.0.0.0", 8080, 8080),
                new PublishSpec(443, "tcp", "0.0.0.0", 0, 0),
            ],
            specs);
    }

    [Theory]
    [InlineData("80/icmp")]
    [InlineData("0/tcp")]
    [InlineData("x/tcp")]
    [InlineData("70000")]
    public void Bad_port_keys_are_refused(string key) =>
        Assert.Equal($"invalid port specification: \"{key}\"", Assert.Throws<BerthException>(() => PublishSpec.FromBindings(Bindings((key, "", "")), false, [])).Message);

    [Fact]
    public void Bad_host_addresses_and_ports_are_refused()
    {
        Assert.Equal("invalid IP address: 1.2.3", Assert.Throws<BerthException>(() => PublishSpec.FromBindings(Bindings(("80", "1.2.3", "")), false, [])).Message);
        Assert.Equal("invalid hostPort: 99999", Assert.Throws<BerthException>(() => PublishSpec.FromBindings(Bindings(("80", "", "99999")), false, [])).Message);
        Assert.Equal(ErrorKind.NotImplemented, Assert.Throws<BerthException>(() => PublishSpec.FromBindings(Bindings(("80", "fe80::1", "")), false, [])).Kind);
    }

    [Fact]
    public void Fixed_ports_clash_with_dockers_message_and_any_address_clashes_with_specific_ones()
    {
        var a = new PortAllocator(32768, 32770);
        Assert.Equal(8080, a.Allocate("tcp", "0.0.0.0", 8080, 8080));
        Assert.Equal("Bind for 0.0.0.0:8080 failed: port is already allocated", Assert.Throws<BerthException>(() => a.Allocate("tcp", "0.0.0.0", 8080, 8080)).Message);
        Assert.Equal("Bind for 127.0.0.1:8080 failed: port is already allocated", Assert.Throws<BerthException>(() => a.Allocate("tcp", "127.0.0.1", 8080, 8080)).Message);
        Assert.Equal(8080, a.Allocate("udp", "0.0.0.0", 8080, 8080));
        Assert.Equal(9000, a.Allocate("tcp", "127.0.0.1", 9000, 9000));
        Assert.Equal(9000, a.Allocate("tcp", "127.0.0.2", 9000, 9000));
        Assert.Throws<BerthException>(() => a.Allocate("tcp", "0.0.0.0", 9000, 9000));
        a.Release("tcp", "0.0.0.0", 8080);
        Assert.Equal(8080, a.Allocate("tcp", "127.0.0.1", 8080, 8080));
    }

    [Fact]
    public void Random_ports_come_from_the_ephemeral_range_in_order_and_wrap()
    {
        var a = new PortAllocator(32768, 32770);
        Assert.Equal(32768, a.Allocate("tcp", "0.0.0.0", 0, 0));
        a.Restore("tcp", "0.0.0.0", 32769);
        Assert.Equal(32770, a.Allocate("tcp", "0.0.0.0", 0, 0));
        a.Release("tcp", "0.0.0.0", 32768);
        Assert.Equal(32768, a.Allocate("tcp", "0.0.0.0", 0, 0));
        Assert.Throws<BerthException>(() => a.Allocate("tcp", "0.0.0.0", 0, 0));
        Assert.Equal(9000, a.Allocate("tcp", "0.0.0.0", 9000, 9001));
        Assert.Equal(9001, a.Allocate("tcp", "0.0.0.0", 9000, 9001));
        Assert.Equal("Bind for 0.0.0.0:9000-9001 failed: port is already allocated", Assert.Throws<BerthException>(() => a.Allocate("tcp", "0.0.0.0", 9000, 9001)).Message);
    }

    [Theory]
    [InlineData("32768\t60999", 32768, 60999)]
    [InlineData("1024 65000\n", 1024, 65000)]
    [InlineData("garbage", 49153, 65535)]
    [InlineData(null, 49153, 65535)]
    public void The_ephemeral_range_comes_from_the_kernel(string? text, int start, int end) =>
        Assert.Equal((start, end), PortAllocator.ReadEphemeralRange(text));
}
