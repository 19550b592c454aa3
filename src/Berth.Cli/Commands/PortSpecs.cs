using System.Globalization;
using System.Net;

namespace Berth.Cli.Commands;

/// <summary>go-connections/nat port specs: <c>[ip:][hostPort:]containerPort[/proto]</c> with ranges.</summary>
public static class PortSpecs
{
    public static List<(string Key, string Ip, string HostPort)> Parse(string spec)
    {
        var (proto, rest) = SplitProto(spec);
        var parts = rest.Split(':');
        var n = parts.Length;
        var containerPort = parts[n - 1];
        var ip = n > 2 ? string.Join(":", parts[..(n - 2)]) : string.Empty;
        var hostPort = n >= 2 ? parts[n - 2] : string.Empty;
        if (ip.StartsWith('[') && ip.EndsWith(']'))
        {
            ip = ip[1..^1];
        }

        if (ip.Length > 0 && !IPAddress.TryParse(ip, out _))
        {
            throw Invalid(spec, $"invalid IP address: {ip}");
        }

        if (containerPort.Length == 0)
        {
            throw Invalid(spec, $"no port specified: {spec}<empty>");
        }

        if (!TryRange(containerPort, out var start, out var end))
        {
            throw Invalid(spec, $"invalid containerPort: {containerPort}");
        }

        long hostStart = 0;
        long hostEnd = 0;
        if (hostPort.Length > 0 && !TryRange(hostPort, out hostStart, out hostEnd))
        {
            throw Invalid(spec, $"invalid hostPort: {hostPort}");
        }

        if (proto is not ("tcp" or "udp" or "sctp"))
        {
            throw Invalid(spec, $"invalid proto: {proto}");
        }

        if (hostPort.Length > 0 && end - start != hostEnd - hostStart && end != start)
        {
            throw Invalid(spec, $"invalid ranges specified for container and host Ports: {containerPort} and {hostPort}");
        }

        var result = new List<(string, string, string)>();
        for (var i = 0L; i <= end - start; i++)
        {
            var hp = hostPort.Length > 0 ? (hostStart + i).ToString(CultureInfo.InvariantCulture) : string.Empty;
            if (start == end && hostStart != hostEnd)
            {
                hp = $"{hp}-{hostEnd}";
            }

            result.Add(($"{start + i}/{proto}", ip, hp));
        }

        return result;
    }

    public static IEnumerable<(long Port, string Proto)> ExpandExpose(string spec)
    {
        var (proto, port) = SplitProto(spec);
        if (!TryRange(port, out var start, out var end))
        {
            throw new CliException($"invalid argument \"{spec}\" for \"--expose\" flag: invalid range format for --expose: {spec}, error: invalid port", 125);
        }

        for (var p = start; p <= end; p++)
        {
            yield return (p, proto);
        }
    }

    private static (string Proto, string Remainder) SplitProto(string spec)
    {
        var slash = spec.LastIndexOf('/');
        return slash < 0 ? ("tcp", spec) : (spec[(slash + 1)..].ToLowerInvariant(), spec[..slash]);
    }

    private static bool TryRange(string s, out long start, out long end)
    {
        start = end = 0;
        var dash = s.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            if (!long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out start) || start > 65535)
            {
                return false;
            }

            end = start;
            return true;
        }

        return long.TryParse(s.AsSpan(0, dash), NumberStyles.None, CultureInfo.InvariantCulture, out start)
            && long.TryParse(s.AsSpan(dash + 1), NumberStyles.None, CultureInfo.InvariantCulture, out end)
            && start <= end && end <= 65535;
    }

    private static CliException Invalid(string spec, string message) => new(message, 125);
}
