using System.Globalization;

namespace Berth.Daemon.Http.Containers;

/// <summary>Go's RFC 3339 with nanoseconds, as Docker writes times ("2024-01-02T03:04:05.123456789Z"; zero time "0001-01-01T00:00:00Z").</summary>
public static class WireTime
{
    public const string Zero = "0001-01-01T00:00:00Z";

    public static string Format(DateTimeOffset? time)
    {
        if (time is not { } t || t == DateTimeOffset.MinValue)
        {
            return Zero;
        }

        var s = t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture).TrimEnd('0').TrimEnd('.');
        return s + "Z";
    }

    /// <summary>Always 9 fraction digits (docker logs --timestamps pads them, as Go's RFC3339NanoFixed).</summary>
    public static string FormatFixed(DateTimeOffset time) =>
        time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture) + "00Z";
}
