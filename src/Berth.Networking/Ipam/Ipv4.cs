using System.Buffers.Binary;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Berth.Networking.Ipam;

/// <summary>IPv4 addresses as host-order integers: the arithmetic IPAM and DNS need.</summary>
public static class Ipv4
{
    public static uint Parse(string text) =>
        TryParse(text, out var v) ? v : throw new FormatException($"invalid IPv4 address: {text}");

    public static bool TryParse(string? text, out uint value)
    {
        value = 0;
        if (string.IsNullOrEmpty(text) || !IPAddress.TryParse(text, out var a) || a.AddressFamily != AddressFamily.InterNetwork)
        {
            return false;
        }

        // IPAddress.TryParse accepts "1" or "1.2" forms; Docker (Go's net.ParseIP) wants four parts.
        if (text.Count(c => c == '.') != 3)
        {
            return false;
        }

        value = BinaryPrimitives.ReadUInt32BigEndian(a.GetAddressBytes());
        return true;
    }

    public static string Format(uint ip) => string.Create(CultureInfo.InvariantCulture, $"{ip >> 24}.{(ip >> 16) & 255}.{(ip >> 8) & 255}.{ip & 255}");

    public static IPAddress ToAddress(uint ip)
    {
        var b = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(b, ip);
        return new IPAddress(b);
    }

    public static uint FromAddress(IPAddress a) => BinaryPrimitives.ReadUInt32BigEndian(a.GetAddressBytes());

    public static bool IsLoopback(uint ip) => ip >> 24 == 127;
}
