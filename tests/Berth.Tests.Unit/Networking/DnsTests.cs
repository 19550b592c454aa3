using System.Buffers.Binary;
using Berth.Networking.Dns;
using Berth.Networking.Ipam;
using Berth.Platform.Net;
using Microsoft.Extensions.Logging.Abstractions;

namespace Berth.Tests.Unit.Networking;

public sealed class DnsTests : IDisposable
{
    private readonly DnsRegistry _registry = new();
    private readonly LinuxNetworkKernel _thread = new("dns-test");
    private readonly EmbeddedDnsServer _server;
    private readonly DnsSandbox _onApp;
    private readonly DnsSandbox _onOther;

    public DnsTests()
    {
        _server = new EmbeddedDnsServer(_registry, _thread, NullLogger.Instance);
        _registry.AddNetwork("app-id", "app");
        _registry.AddNetwork("other-id", "other");
        _registry.Register("app-id", "ep1", ["web1", "search", "aaaaaaaaaaa1"], Ipv4.Parse("172.18.0.2"));
        _registry.Register("app-id", "ep2", ["Web2", "search"], Ipv4.Parse("172.18.0.3"));
        _registry.Register("other-id", "ep3", ["outsider", "web2"], Ipv4.Parse("172.19.0.2"));
        _onApp = new DnsSandbox("c1", "/nonexistent", [new DnsSandboxNetwork("app-id", "app", new Dictionary<string, string> { ["db"] = "web1" })], []);
        _onOther = new DnsSandbox("c3", "/nonexistent", [new DnsSandboxNetwork("other-id", "other", new Dictionary<string, string>())], []);
    }

    public void Dispose()
    {
        _server.DisposeAsync().AsTask().GetAwaiter().GetResult();
        _thread.Dispose();
    }

    private static string[] Ips(DnsLookup l) => l.Addresses?.Select(Ipv4.Format).ToArray() ?? [];

    [Fact]
    public void Names_are_network_scoped_and_case_insensitive()
    {
        Assert.Equal(["172.18.0.3"], Ips(_registry.Resolve(_onApp, "web2")));
        Assert.Equal(["172.19.0.2"], Ips(_registry.Resolve(_onOther, "web2")));
        Assert.False(_registry.Resolve(_onOther, "web1").KnownName);
        Assert.Equal(["172.18.0.2"], Ips(_registry.Resolve(_onApp, "aaaaaaaaaaa1")));
    }

    [Fact]
    public void Shared_aliases_answer_all_addresses_rotating()
    {
        var first = Ips(_registry.Resolve(_onApp, "search"));
        var second = Ips(_registry.Resolve(_onApp, "search"));
        Assert.Equal(["172.18.0.2", "172.18.0.3"], first.Order().ToArray());
        Assert.NotEqual(first[0], second[0]);
    }

    [Fact]
    public void Names_with_a_network_suffix_and_link_aliases_resolve_like_docker()
    {
        Assert.Equal(["172.18.0.2"], Ips(_registry.Resolve(_onApp, "web1.app")));
        Assert.False(_registry.Resolve(_onApp, "web1.other").KnownName);
        Assert.Equal(["172.18.0.2"], Ips(_registry.Resolve(_onApp, "db")));
        Assert.False(_registry.Resolve(_onOther, "db").KnownName);
    }

    [Fact]
    public void Unregistering_removes_names_and_reverse_entries()
    {
        _registry.Unregister("app-id", "ep1");
        Assert.Equal(["172.18.0.3"], Ips(_registry.Resolve(_onApp, "search")));
        Assert.False(_registry.Resolve(_onApp, "web1").KnownName);
        Assert.Null(_registry.ResolveReverse(_onApp, Ipv4.Parse("172.18.0.2")));
        Assert.Equal("web2.app", _registry.ResolveReverse(_onApp, Ipv4.Parse("172.18.0.3")));
        _registry.RemoveNetwork("app-id");
        Assert.Equal(0, _registry.CountNames("app-id"));
    }

    [Fact]
    public void A_queries_are_answered_with_all_addresses_and_dockers_ttl()
    {
        var query = DnsWire.BuildQuery(0xBEEF, "Search", DnsWire.TypeA);
        var resp = new byte[512];
        var n = _server.Answer(_onApp, query, resp, tcp: false);
        Assert.True(n > 0);
        Assert.Equal(0xBEEF, BinaryPrimitives.ReadUInt16BigEndian(resp));
        Assert.Equal(0x8180, BinaryPrimitives.ReadUInt16BigEndian(resp.AsSpan(2))); // QR RD RA, NOERROR
        var ips = DnsWire.ReadARecords(resp.AsSpan(0, n), out var rcode, out var tc);
        Assert.Equal(0, rcode);
        Assert.False(tc);
        Assert.Equal(["172.18.0.2", "172.18.0.3"], ips.Select(Ipv4.Format).Order().ToArray());
        var ttlOffset = query.Length + 6;
        Assert.Equal(600, BinaryPrimitives.ReadInt32BigEndian(resp.AsSpan(ttlOffset)));
    }

    [Fact]
    public void Aaaa_of_a_known_name_is_an_empty_success_and_unknown_names_are_forwarded()
    {
        var resp = new byte[512];
        var n = _server.Answer(_onApp, DnsWire.BuildQuery(1, "web1", DnsWire.TypeAaaa), resp, tcp: false);
        Assert.Empty(DnsWire.ReadARecords(resp.AsSpan(0, n), out var rcode, out _));
        Assert.Equal(0, rcode);
        Assert.Equal(0, BinaryPrimitives.ReadUInt16BigEndian(resp.AsSpan(6)));
        Assert.Equal(-1, _server.Answer(_onApp, DnsWire.BuildQuery(2, "example.org", DnsWire.TypeA), resp, tcp: false));
        Assert.Equal(-1, _server.Answer(_onApp, DnsWire.BuildQuery(3, "web1", DnsWire.TypeSrv), resp, tcp: false));
    }

    [Fact]
    public void Reverse_lookups_answer_name_dot_network()
    {
        var resp = new byte[512];
        var n = _server.Answer(_onApp, DnsWire.BuildQuery(7, "3.0.18.172.in-addr.arpa", DnsWire.TypePtr), resp, tcp: false);
        Assert.Equal("web2.app.", DnsWire.ReadPtr(resp.AsSpan(0, n)));
        Assert.Equal(-1, _server.Answer(_onApp, DnsWire.BuildQuery(8, "9.9.9.9.in-addr.arpa", DnsWire.TypePtr), resp, tcp: false));
        Assert.Equal(-1, _server.Answer(_onOther, DnsWire.BuildQuery(9, "3.0.18.172.in-addr.arpa", DnsWire.TypePtr), resp, tcp: false));
    }

    [Fact]
    public void Udp_answers_are_truncated_to_512_bytes_with_tc_set()
    {
        for (var i = 0; i < 60; i++)
        {
            _registry.Register("app-id", $"many{i}", [$"m{i}", "many"], Ipv4.Parse("10.1.0.0") + (uint)i);
        }

        var resp = new byte[4096];
        var query = DnsWire.BuildQuery(1, "many", DnsWire.TypeA);
        var n = _server.Answer(_onApp, query, resp, tcp: false);
        Assert.True(n <= 512);
        var ips = DnsWire.ReadARecords(resp.AsSpan(0, n), out _, out var tc);
        Assert.True(tc);
        Assert.Equal((512 - query.Length) / 16, ips.Count);
        n = _server.Answer(_onApp, query, resp, tcp: true);
        Assert.Equal(60, DnsWire.ReadARecords(resp.AsSpan(0, n), out _, out tc).Count);
        Assert.False(tc);
    }

    [Fact]
    public void Malformed_queries_get_formerr_and_queries_parse_edns_size()
    {
        var resp = new byte[512];
        var bad = new byte[] { 0x12, 0x34, 0x01, 0x00, 0x00, 0x02, 0, 0, 0, 0, 0, 0 };
        var n = _server.Answer(_onApp, bad, resp, tcp: false);
        Assert.Equal(12, n);
        Assert.Equal(1, resp[3] & 0xF);
        Assert.Equal(0x1234, BinaryPrimitives.ReadUInt16BigEndian(resp));

        var q = DnsWire.BuildQuery(5, "web1", DnsWire.TypeA);
        var withOpt = new byte[q.Length + 11];
        q.CopyTo(withOpt, 0);
        BinaryPrimitives.WriteUInt16BigEndian(withOpt.AsSpan(10), 1);
        BinaryPrimitives.WriteUInt16BigEndian(withOpt.AsSpan(q.Length + 1), DnsWire.TypeOpt);
        BinaryPrimitives.WriteUInt16BigEndian(withOpt.AsSpan(q.Length + 3), 1232);
        Assert.True(DnsWire.TryParseQuery(withOpt, out var parsed));
        Assert.Equal(1232, parsed.MaxUdpSize);
        Assert.Equal("web1", parsed.Name);
    }

    [Theory]
    [InlineData("4.3.2.1.in-addr.arpa", "1.2.3.4")]
    [InlineData("1.0.17.172.in-addr.arpa", "172.17.0.1")]
    public void Reverse_names_parse(string name, string ip)
    {
        Assert.True(EmbeddedDnsServer.TryParseReverse(name, out var v));
        Assert.Equal(ip, Ipv4.Format(v));
        Assert.False(EmbeddedDnsServer.TryParseReverse("3.2.1.in-addr.arpa", out _));
    }
}
