using System.Globalization;
using Berth.Core.Errors;

namespace Berth.Runtime.Logging;

/// <summary>
/// When a log file is rotated and what is kept: max-size (-1: never), max-file (the live file
/// included) and whether rotated files are gzip-compressed (file.1.gz …).
/// </summary>
public sealed record LogRotation(long MaxSize, int MaxFiles, bool Compress = false)
{
    public static LogRotation Unlimited { get; } = new(-1, 1);

    /// <summary>Docker's units.RAMInBytes: "10m", "1k", "512", "1.5g", "64MiB" (binary units).</summary>
    public static long ParseSize(string value) =>
        TryParseUnits(value, binary: true, out var n) ? n : throw BerthException.Invalid($"invalid size: '{value}'");

    /// <summary>
    /// Docker's units.FromHumanSize, which the log drivers use for max-size: the same forms in
    /// decimal units ("10m" is 10,000,000 bytes). Null when the value is not a size.
    /// </summary>
    public static long? TryParseHumanSize(string value) => TryParseUnits(value, binary: false, out var n) ? n : null;

    /// <summary>As go-units: digits with optional fraction, an optional space, then k/m/g/t/p, "i" and "b", any case.</summary>
    private static bool TryParseUnits(string value, bool binary, out long bytes)
    {
        ArgumentNullException.ThrowIfNull(value);
        bytes = 0;
        var s = value.AsSpan();
        var i = 0;
        while (i < s.Length && (char.IsAsciiDigit(s[i]) || (s[i] == '.' && i > 0)))
        {
            i++;
        }

        if (i == 0 || s[i - 1] == '.' || !double.TryParse(s[..i], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var n))
        {
            return false;
        }

        var rest = s[i..];
        if (rest.Length > 0 && rest[0] == ' ')
        {
            rest = rest[1..];
        }

        var unit = 1.0;
        if (rest.Length > 0 && "kKmMgGtTpP".Contains(rest[0], StringComparison.Ordinal))
        {
            var power = "kmgtp".IndexOf(char.ToLowerInvariant(rest[0]), StringComparison.Ordinal) + 1;
            unit = Math.Pow(binary ? 1024 : 1000, power);
            rest = rest[1..];
        }

        if (rest.Length > 0 && rest[0] is 'i' or 'I')
        {
            rest = rest[1..];
        }

        if (rest.Length > 0 && rest[0] is 'b' or 'B')
        {
            rest = rest[1..];
        }

        if (rest.Length > 0)
        {
            return false;
        }

        bytes = (long)(n * unit);
        return true;
    }
}
