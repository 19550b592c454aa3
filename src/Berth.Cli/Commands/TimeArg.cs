using System.Globalization;
using Berth.Cli.Parsing;

namespace Berth.Cli.Commands;

/// <summary>docker's timetypes.GetTimestamp: --since/--until values as "seconds.nanoseconds".</summary>
public static class TimeArg
{
    private static readonly string[] Formats =
    [
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", "yyyy-MM-dd'T'HH:mm:ssK", "yyyy-MM-dd'T'HH:mmK", "yyyy-MM-dd'T'HHK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFF", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd'T'HH", "yyyy-MM-dd",
    ];

    public static string ToTimestamp(string value, DateTimeOffset now, string? flag = null)
    {
        if (value.Length == 0)
        {
            return value;
        }

        if (GoParse.TryParseDuration(value, out var nanos) && !value.All(char.IsAsciiDigit))
        {
            var t = now.AddTicks(-nanos / 100);
            return Unix(t);
        }

        if (value.All(c => char.IsAsciiDigit(c) || c == '.') && value.Count(c => c == '.') <= 1)
        {
            return value;
        }

        var text = value;
        if (text.Contains('.', StringComparison.Ordinal))
        {
            // Trim fractional digits beyond .NET's 7.
            var dot = text.IndexOf('.', StringComparison.Ordinal);
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

        if (DateTimeOffset.TryParseExact(text, Formats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var parsed))
        {
            return Unix(parsed);
        }

        var prefix = flag is null ? string.Empty : $"invalid value for \"{flag}\": ";
        throw new CliException($"{prefix}failed to parse value as time or duration: \"{value}\"");
    }

    private static string Unix(DateTimeOffset t)
    {
        var ticks = t.UtcTicks - DateTimeOffset.UnixEpoch.UtcTicks;
        var seconds = Math.DivRem(ticks, TimeSpan.TicksPerSecond, out var rem);
        if (rem < 0)
        {
            seconds--;
            rem += TimeSpan.TicksPerSecond;
        }

        return seconds.ToString(CultureInfo.InvariantCulture) + "." + (rem * 100).ToString("000000000", CultureInfo.InvariantCulture);
    }
}
