using System.Globalization;
using Berth.Core.Errors;

namespace Berth.Core.Filters;

/// <summary>
/// Parses Docker's time arguments (since/until of events and logs): Unix seconds with optional
/// fraction ("1700000000.123"), RFC 3339 timestamps, or durations relative to now ("10m", "1h30m").
/// </summary>
public static class TimeFilter
{
    public static DateTimeOffset? Parse(string? value, DateTimeOffset now)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return null;
        }

        // Times and durations outside what a DateTimeOffset holds are refused like any bad value
        // (found by fuzzing: they threw OverflowException/ArgumentOutOfRangeException, a 500).
        const decimal maxSeconds = 253402300799m;
        if (decimal.TryParse(value, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) && seconds <= maxSeconds)
        {
            var whole = (long)decimal.Truncate(seconds);
            var ticks = (long)((seconds - whole) * TimeSpan.TicksPerSecond);
            return DateTimeOffset.FromUnixTimeSeconds(whole).AddTicks(ticks);
        }

        bool isDuration;
        TimeSpan d;
        try
        {
            isDuration = TryParseDuration(value, out d);
        }
        catch (OverflowException)
        {
            isDuration = false;
            d = default;
        }

        if (isDuration && d <= now - DateTimeOffset.MinValue && d >= now - DateTimeOffset.MaxValue)
        {
            return now - d;
        }

        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t))
        {
            return t;
        }

        throw BerthException.Invalid($"failed to parse value as time or duration: \"{value}\"");
    }

    /// <summary>Go-style durations: "300ms", "1.5h", "2h45m", "10s".</summary>
    public static bool TryParseDuration(string text, out TimeSpan duration)
    {
        duration = TimeSpan.Zero;
        var s = text.AsSpan().Trim();
        if (s.IsEmpty)
        {
            return false;
        }

        var total = 0.0;
        while (!s.IsEmpty)
        {
            var i = 0;
            while (i < s.Length && (char.IsAsciiDigit(s[i]) || s[i] == '.'))
            {
                i++;
            }

            if (i == 0 || !double.TryParse(s[..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n))
            {
                return false;
            }

            s = s[i..];
            var j = 0;
            while (j < s.Length && char.IsAsciiLetter(s[j]) || (j < s.Length && s[j] == 'µ'))
            {
                j++;
            }

            var unit = s[..j].ToString();
            s = s[j..];
            total += unit switch
            {
                "ns" => n / 1e9,
                "us" or "µs" => n / 1e6,
                "ms" => n / 1e3,
                "s" => n,
                "m" => n * 60,
                "h" => n * 3600,
                _ => double.NaN,
            };
            if (double.IsNaN(total))
            {
                return false;
            }
        }

        duration = TimeSpan.FromSeconds(total);
        return true;
    }
}
