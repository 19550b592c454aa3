using System.Globalization;

namespace Berth.Cli.Formatting;

/// <summary>docker/go-units: human sizes (decimal and binary) and human durations.</summary>
public static class Units
{
    private static readonly string[] Binary = ["B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB", "ZiB", "YiB"];

    /// <summary>HumanSizeWithPrecision: "1.23MB" (base 1000, %.{precision}g).</summary>
    public static string HumanSize(double size, int precision = 4) => Berth.Core.Text.ByteSize.Human(size, precision);

    /// <summary>BytesSize: "64MiB" (base 1024, %.4g).</summary>
    public static string BytesSize(double size)
    {
        var (value, unit) = Scale(size, 1024.0, Binary);
        return FormatG(value, 4) + unit;
    }

    /// <summary>Go's %.{precision}g: significant digits, no trailing zeros, exponent form when large or small.</summary>
    public static string FormatG(double value, int precision) => Berth.Core.Text.ByteSize.FormatG(value, precision);

    /// <summary>go-units HumanDuration ("Less than a second", "About a minute", "3 hours"...).</summary>
    public static string HumanDuration(TimeSpan d) => Berth.Core.Text.HumanDuration.Format(d);

    /// <summary>units.FromHumanSize: decimal sizes like "1.5GB" to bytes.</summary>
    public static bool TryFromHumanSize(string s, out long bytes)
    {
        bytes = 0;
        var t = s.Trim();
        var i = 0;
        while (i < t.Length && (char.IsAsciiDigit(t[i]) || t[i] == '.'))
        {
            i++;
        }

        if (i == 0 || !double.TryParse(t.AsSpan(0, i), NumberStyles.Float, CultureInfo.InvariantCulture, out var n))
        {
            return false;
        }

        var unit = t[i..].Trim().ToLowerInvariant().TrimEnd('b').TrimEnd('i');
        double mult = unit switch
        {
            "" => 1,
            "k" => 1e3,
            "m" => 1e6,
            "g" => 1e9,
            "t" => 1e12,
            "p" => 1e15,
            _ => -1,
        };
        if (mult < 0)
        {
            return false;
        }

        bytes = (long)(n * mult);
        return true;
    }

    private static (double Value, string Unit) Scale(double size, double b, string[] units)
    {
        var i = 0;
        while (size >= b && i < units.Length - 1)
        {
            size /= b;
            i++;
        }

        return (size, units[i]);
    }
}
