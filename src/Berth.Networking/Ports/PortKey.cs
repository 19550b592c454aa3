using System.Globalization;
using Berth.Core.Errors;

namespace Berth.Networking.Ports;

/// <summary>A container port as Docker writes it in PortBindings/ExposedPorts keys: "80/tcp", "53/udp", "80" (tcp).</summary>
public readonly record struct PortKey(int Port, string Protocol)
{
    public static PortKey Parse(string key) =>
        TryParseRange(key, out var start, out var end, out var proto) && start == end
            ? new PortKey(start, proto)
            : throw BerthException.Invalid($"invalid port specification: \"{key}\"");

    /// <summary>Parses "80/tcp" or a range key "8000-8002/udp" (expanded by the caller).</summary>
    public static bool TryParseRange(string key, out int start, out int end, out string protocol)
    {
        start = end = 0;
        protocol = "tcp";
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        var portPart = slash < 0 ? key : key[..slash];
        if (slash >= 0)
        {
            protocol = key[(slash + 1)..].ToLowerInvariant();
            if (protocol is not ("tcp" or "udp" or "sctp"))
            {
                return false;
            }
        }

        return TryParsePortRange(portPart, out start, out end) && start > 0;
    }

    /// <summary>"8080" or "8000-8010" (inclusive); port 0 allowed (caller decides).</summary>
    public static bool TryParsePortRange(string text, out int start, out int end)
    {
        start = end = 0;
        var dash = text.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            if (!TryPort(text, out start))
            {
                return false;
            }

            end = start;
            return true;
        }

        return TryPort(text[..dash], out start) && TryPort(text[(dash + 1)..], out end) && end >= start;
    }

    public override string ToString() => $"{Port.ToString(CultureInfo.InvariantCulture)}/{Protocol}";

    private static bool TryPort(string s, out int port) =>
        int.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is >= 0 and <= 65535;
}
