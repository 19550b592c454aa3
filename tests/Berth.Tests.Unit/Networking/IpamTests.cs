using Berth.Core.Errors;
using Berth.Networking.Ipam;

namespace Berth.Tests.Unit.Networking;

public sealed class IpamTests
{
    [Theory]
    [InlineData("10.213.1.0/24", "10.213.1.0/24")]
    [InlineData("10.213.1.7/24", "10.213.1.0/24")]
    [InlineData("172.17.0.1/16", "172.17.0.0/16")]
    [InlineData("0.0.0.0/0", "0.0.0.0/0")]
    public void Subnets_parse_to_their_network_address(string text, string expected) =>
        Assert.Equal(expected, Ipv4Subnet.Parse(text).ToString());

    [Theory]
    [InlineData("10.0.0.0")]
    [InlineData("10.0.0.0/33")]
    [InlineData("10.0.0/8")]
    [InlineData("fe80::/64")]
    [InlineData("10.0.0.0/x")]
    public void Invalid_subnets_are_refused(string text) => Assert.False(Ipv4Subnet.TryParse(text, out _));

    [Theory]
    [InlineData("10.0.0.0/8", "10.1.0.0/16", true)]
    [InlineData("10.1.0.0/16", "10.0.0.0/8", true)]
    [InlineData("10.1.0.0/16", "10.2.0.0/16", false)]
    [InlineData("192.168.0.0/20", "192.168.16.0/20", false)]
    [InlineData("192.168.0.0/20", "192.168.15.255/32", true)]
    public void Overlap_is_symmetric_containment(string a, string b, bool overlaps) =>
        Assert.Equal(overlaps, Ipv4Subnet.Parse(a).Overlaps(Ipv4Subnet.Parse(b)));

    [Fact]
    public void Addresses_are_handed_out_sequentially_skipping_gateway_and_aux_and_not_reused_at_once()
    {
        var subnet = Ipv4Subnet.Parse("10.0.0.0/29"); // .1-.6 usable
        var a = new AddressAllocator(subnet, null, [Ipv4.Parse("10.0.0.1"), Ipv4.Parse("10.0.0.3")]);
        Assert.Equal("10.0.0.2", Ipv4.Format(a.TryAllocate()!.Value));
        Assert.Equal("10.0.0.4", Ipv4.Format(a.TryAllocate()!.Value));
        a.Release(Ipv4.Parse("10.0.0.2"));
        Assert.Equal("10.0.0.5", Ipv4.Format(a.TryAllocate()!.Value));
        Assert.Equal("10.0.0.6", Ipv4.Format(a.TryAllocate()!.Value));
        Assert.Equal("10.0.0.2", Ipv4.Format(a.TryAllocate()!.Value)); // wrapped around
        Assert.Null(a.TryAllocate());
    }

    [Fact]
    public void Ip_range_limits_dynamic_addresses_but_not_fixed_ones()
    {
        var a = new AddressAllocator(Ipv4Subnet.Parse("10.0.0.0/24"), Ipv4Subnet.Parse("10.0.0.128/30"), [Ipv4.Parse("10.0.0.1")]);
        Assert.Equal("10.0.0.128", Ipv4.Format(a.TryAllocate()!.Value));
        a.Reserve(Ipv4.Parse("10.0.0.50"));
        Assert.True(a.IsUsed(Ipv4.Parse("10.0.0.50")));
        Assert.Equal("10.0.0.129", Ipv4.Format(a.TryAllocate()!.Value));
    }

    [Fact]
    public void Fixed_addresses_in_use_or_outside_the_subnet_are_refused_with_dockers_messages()
    {
        var a = new AddressAllocator(Ipv4Subnet.Parse("10.0.0.0/24"), null, [Ipv4.Parse("10.0.0.1")]);
        a.Reserve(Ipv4.Parse("10.0.0.9"));
        Assert.Equal("Address already in use", Assert.Throws<BerthException>(() => a.Reserve(Ipv4.Parse("10.0.0.9"))).Message);
        Assert.Equal("Address already in use", Assert.Throws<BerthException>(() => a.Reserve(Ipv4.Parse("10.0.0.1"))).Message);
        var outside = Assert.Throws<BerthException>(() => a.Reserve(Ipv4.Parse("10.0.1.9")));
        Assert.Equal("Invalid address 10.0.1.9: It does not belong to any of this network's subnets", outside.Message);
    }

    [Fact]
    public void Restored_addresses_are_never_handed_out_again()
    {
        var a = new AddressAllocator(Ipv4Subnet.Parse("10.0.0.0/29"), null, [Ipv4.Parse("10.0.0.1")]);
        foreach (var ip in new[] { "10.0.0.2", "10.0.0.3", "10.0.0.5" })
        {
            a.Restore(Ipv4.Parse(ip));
        }

        Assert.Equal("10.0.0.4", Ipv4.Format(a.TryAllocate()!.Value));
        Assert.Equal("10.0.0.6", Ipv4.Format(a.TryAllocate()!.Value));
        Assert.Null(a.TryAllocate());
    }

    [Fact]
    public void Default_pools_are_dockers_and_skip_taken_subnets()
    {
        var all = AddressPool.Enumerate(AddressPool.Defaults).Select(s => s.ToString()).ToList();
        Assert.Equal("172.17.0.0/16", all[0]);
        Assert.Equal("172.31.0.0/16", all[14]);
        Assert.Equal("192.168.0.0/20", all[15]);
        Assert.Equal("192.168.240.0/20", all[^1]);
        Assert.Equal(31, all.Count);
        var taken = new[] { Ipv4Subnet.Parse("172.17.0.0/16"), Ipv4Subnet.Parse("172.18.5.0/24") };
        Assert.Equal("172.19.0.0/16", AddressPool.PickFree(AddressPool.Defaults, taken)!.Value.ToString());
        var custom = new[] { new AddressPool("10.10.0.0/16", 24) };
        Assert.Equal("10.10.1.0/24", AddressPool.PickFree(custom, [Ipv4Subnet.Parse("10.10.0.0/24")])!.Value.ToString());
        Assert.Null(AddressPool.PickFree(custom, [Ipv4Subnet.Parse("10.0.0.0/8")]));
    }
}
