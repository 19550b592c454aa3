using System.Globalization;

namespace Berth.Cli.Formatting;

/// <summary>Go's time formatting as docker prints it.</summary>
public static class GoTime
{
    /// <summary>time.Time.String() in local time: "2006-01-02 15:04:05 -0700 MST".</summary>
    public static string ToGoString(DateTimeOffset t)
    {
        var local = TimeZoneInfo.ConvertTime(t, TimeZoneInfo.Local);
        var offset = local.Offset;
        var sign = offset < TimeSpan.Zero ? "-" : "+";
        var abs = offset.Duration();
        var num = sign + abs.Hours.ToString("00", CultureInfo.InvariantCulture) + abs.Minutes.ToString("00", CultureInfo.InvariantCulture);
        var zone = ZoneName(local);
        var frac = local.Ticks % TimeSpan.TicksPerSecond;
        var fracText = frac == 0 ? string.Empty : "." + (frac * 100).ToString("000000000", CultureInfo.InvariantCulture).TrimEnd('0');
        return local.ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) + fracText + " " + num + " " + zone;
    }

    /// <summary>RFC3339Nano as Go formats it (trailing zeros of the fraction dropped, "Z" for UTC).</summary>
    public static string Rfc3339Nano(DateTimeOffset t, long extraNanos = 0)
    {
        var utc = t.UtcDateTime;
        var frac = ((utc.Ticks % TimeSpan.TicksPerSecond) * 100) + extraNanos;
        var fracText = frac == 0 ? string.Empty : "." + frac.ToString("000000000", CultureInfo.InvariantCulture).TrimEnd('0');
        return utc.ToString("yyyy-MM-ddTHH:mm:ss", CultureInfo.InvariantCulture) + fracText + "Z";
    }

    /// <summary>Parses the engine's RFC3339 timestamps (nanosecond precision allowed).</summary>
    public static bool TryParse(string? s, out DateTimeOffset t)
    {
        t = default;
        if (string.IsNullOrEmpty(s))
        {
            return false;
        }

        // .NET takes at most 7 fractional digits.
        var text = s;
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0)
        {
            var end = dot + 1;
            while (end < text.Length && char.IsAsciiDigit(text[end]))
            {
                end++;
            }

            if (end - dot - 1 > 7)
            {
                text = text[..(dot + 8)] + text[end..];
            }
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out t);
    }

    private static string ZoneName(DateTimeOffset local)
    {
        if (local.Offset == TimeSpan.Zero && (TimeZoneInfo.Local.Id is "UTC" or "Etc/UTC" or "Universal" or "Zulu" || TimeZoneInfo.Local.BaseUtcOffset == TimeSpan.Zero && !TimeZoneInfo.Local.SupportsDaylightSavingTime))
        {
            return "UTC";
        }

        var name = TimeZoneInfo.Local.IsDaylightSavingTime(local) ? TimeZoneInfo.Local.DaylightName : TimeZoneInfo.Local.StandardName;
        if (!string.IsNullOrEmpty(name) && name.Length <= 5 && !name.Contains(' ', StringComparison.Ordinal))
        {
            return name;
        }

        var o = local.Offset.Duration();
        return (local.Offset < TimeSpan.Zero ? "-" : "+") + o.Hours.ToString("00", CultureInfo.InvariantCulture) + (o.Minutes == 0 ? string.Empty : o.Minutes.ToString("00", CultureInfo.InvariantCulture));
    }
}
