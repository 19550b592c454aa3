using System.Text;
using System.Text.RegularExpressions;

namespace Berth.Networking.Files;

/// <summary>
/// The container's /etc/resolv.conf, following Docker: the host's file with localhost
/// nameservers removed (Google's public servers when none remain), or one built from
/// --dns/--dns-search/--dns-option; on user networks the embedded server 127.0.0.11 with
/// "options ndots:0".
/// </summary>
public static partial class ResolvConf
{
    public const string EmbeddedServer = "127.0.0.11";

    /// <summary>
    /// The host's resolver configuration at <paramref name="path"/> (empty when unreadable). With
    /// systemd-resolved's stub (127.0.0.53), useless inside containers, its upstream list instead (as Docker).
    /// </summary>
    public static string ReadHost(string path)
    {
        try
        {
            var text = File.ReadAllText(path);
            const string resolved = "/run/systemd/resolve/resolv.conf";
            var ns = Nameservers(text);
            if (ns.Count == 1 && ns[0] == "127.0.0.53" && File.Exists(resolved))
            {
                return File.ReadAllText(resolved);
            }

            return text;
        }
        catch (IOException)
        {
            return string.Empty;
        }
    }

    /// <summary>The nameserver addresses of a resolv.conf text (IPv4 and IPv6), in order.</summary>
    public static IReadOnlyList<string> Nameservers(string content) =>
        [.. Lines(content).Select(l => NameserverLine().Match(l)).Where(m => m.Success).Select(m => m.Groups[1].Value)];

    /// <summary>The last "search" line's domains.</summary>
    public static IReadOnlyList<string> Search(string content) => LastList(content, "search");

    /// <summary>The last "options" line's options.</summary>
    public static IReadOnlyList<string> Options(string content) => LastList(content, "options");

    public static bool IsLocalhost(string ip) => ip == "::1" || LocalhostV4().IsMatch(ip);

    /// <summary>Docker's FilterResolvDNS: drops localhost and (IPv6 off) IPv6 nameservers; falls back to 8.8.8.8/8.8.4.4.</summary>
    public static string FilterHost(string content)
    {
        var text = LocalhostNameserver().Replace(content, string.Empty);
        text = Ipv6Nameserver().Replace(text, string.Empty);
        if (Nameservers(text).Count == 0)
        {
            text += "\nnameserver 8.8.8.8\nnameserver 8.8.4.4";
        }

        return text;
    }

    /// <summary>Docker's resolvconf.Build: search, nameservers, options (in that order).</summary>
    public static string Build(IEnumerable<string> nameservers, IReadOnlyList<string> search, IReadOnlyList<string> options)
    {
        var sb = new StringBuilder();
        var s = string.Join(' ', search);
        if (search.Count > 0 && s.Trim(' ') != ".")
        {
            sb.Append("search ").Append(s).Append('\n');
        }

        foreach (var ns in nameservers)
        {
            sb.Append("nameserver ").Append(ns).Append('\n');
        }

        var o = string.Join(' ', options);
        if (options.Count > 0 && o.Trim(' ').Length > 0)
        {
            sb.Append("options ").Append(o).Append('\n');
        }

        return sb.ToString();
    }

    /// <summary>
    /// The resolv.conf for a container with the embedded server: 127.0.0.11, the IPv6 servers of
    /// <paramref name="baseContent"/>, its search domains and options, plus ndots:0 unless the
    /// user set ndots.
    /// </summary>
    public static string BuildEmbedded(string baseContent)
    {
        var options = Options(baseContent).ToList();
        if (!options.Any(o => o.StartsWith("ndots:", StringComparison.Ordinal)))
        {
            options.Add("ndots:0");
        }

        var servers = new List<string> { EmbeddedServer };
        servers.AddRange(Nameservers(baseContent).Where(n => n.Contains(':', StringComparison.Ordinal)));
        return Build(servers, Search(baseContent), options);
    }

    private static IEnumerable<string> Lines(string content) =>
        content.Split('\n').Select(l => l.IndexOf('#', StringComparison.Ordinal) is var i and >= 0 ? l[..i] : l);

    private static IReadOnlyList<string> LastList(string content, string keyword)
    {
        IReadOnlyList<string> result = [];
        foreach (var line in Lines(content))
        {
            var t = line.Trim();
            if (t == keyword || t.StartsWith(keyword + " ", StringComparison.Ordinal) || t.StartsWith(keyword + "\t", StringComparison.Ordinal))
            {
                result = t[keyword.Length..].Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            }
        }

        return result;
    }

    [GeneratedRegex(@"^\s*nameserver\s*((?:\d{1,3}\.){3}\d{1,3}|(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?:%\w+)?)\s*$")]
    private static partial Regex NameserverLine();

    [GeneratedRegex(@"^nameserver\s+((127\.([0-9]{1,3}\.){2}[0-9]{1,3})|(::1)$)\s*\n*", RegexOptions.Multiline)]
    private static partial Regex LocalhostNameserver();

    [GeneratedRegex(@"^nameserver\s+([0-9A-Fa-f]{0,4}:){2,7}([0-9A-Fa-f]{0,4})(%\w+)?\s*\n*", RegexOptions.Multiline)]
    private static partial Regex Ipv6Nameserver();

    [GeneratedRegex(@"^127\.(\d{1,3}\.){2}\d{1,3}$")]
    private static partial Regex LocalhostV4();
}
