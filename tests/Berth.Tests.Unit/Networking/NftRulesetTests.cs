using Berth.Networking.Model;
using Berth.Networking.Nat;

namespace Berth.Tests.Unit.Networking;

/// <summary>The generated nftables table against golden files (set BERTH_UPDATE_GOLDEN=1 to rewrite them).</summary>
public sealed class NftRulesetTests
{
    private static string GoldenPath(string name, [System.Runtime.CompilerServices.CallerFilePath] string here = "") =>
        Path.Combine(Path.GetDirectoryName(here)!, "Golden", name);

    private static void AssertGolden(string name, string actual)
    {
        var path = GoldenPath(name);
        if (Environment.GetEnvironmentVariable("BERTH_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(path, actual);
        }

        Assert.Equal(File.ReadAllText(path), actual);
    }

    [Fact]
    public void Empty_daemon_has_hooks_and_maps_only()
    {
        AssertGolden("nft-empty.nft", NftRuleset.Table("berth", [], []));
    }

    [Fact]
    public void Networks_and_ports_produce_nat_isolation_and_dnat_maps()
    {
        var networks = new[]
        {
            new NatNetwork("berth0", "172.17.0.0/16", false, true),
            new NatNetwork("br-0123456789ab", "172.18.0.0/16", false, true),
            new NatNetwork("br-internal0001", "10.213.9.0/24", true, true),
            new NatNetwork("br-nomasq000001", "10.213.8.0/24", false, false),
        };
        var ports = new[]
        {
            new PublishedPort("tcp", "0.0.0.0", 8080, "172.17.0.2", 80, "n1"),
            new PublishedPort("tcp", "127.0.0.1", 8081, "172.17.0.2", 81, "n1"),
            new PublishedPort("udp", "0.0.0.0", 5353, "172.18.0.2", 53, "n2"),
        };
        AssertGolden("nft-full.nft", NftRuleset.Table("berth", networks, ports));
    }

    [Fact]
    public void Replace_is_one_atomic_batch_that_tolerates_a_missing_table()
    {
        var text = NftRuleset.Replace("bt", [], []);
        Assert.StartsWith("table ip bt {}\ndelete table ip bt\ntable ip bt {\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Port_elements_are_added_and_deleted_by_key()
    {
        var ports = new[] { new PublishedPort("tcp", "0.0.0.0", 8080, "172.17.0.2", 80, "n"), new PublishedPort("udp", "127.0.0.1", 53, "172.17.0.3", 5353, "n") };
        Assert.Equal(
            "add element ip berth tcp-any { 8080 : 172.17.0.2 . 80 }\nadd element ip berth udp-ip { 127.0.0.1 . 53 : 172.17.0.3 . 5353 }\n",
            NftRuleset.AddPorts("berth", ports));
        Assert.Equal(
            "delete element ip berth tcp-any { 8080 }\ndelete element ip berth udp-ip { 127.0.0.1 . 53 }\n",
            NftRuleset.RemovePorts("berth", ports));
    }
}
