using System.Globalization;

namespace Berth.Core.Text;

/// <summary>docker/go-units sizes as Docker prints them, on the daemon's progress lines and in the CLI's tables.</summary>
public static class ByteSize
{
    private static readonly string[] Decimal = ["B", "kB", "MB", "GB", "TB", "PB", "EB", "ZB", "YB"];

    /// <summary>HumanSizeWithPrecision: "1.23MB" (base 1000, %.{precision}g).</summary>
    public static string Human(double size, int precision = 4)
    {
        var i = 0;
        while (size >= 1000.0 && i < Decimal.Length - 1)
        {
            size /= 1000.0;
            i++;
        }

        return FormatG(size, precision) + Decimal[i];
    }

    /// <summary>Go's %.{precision}g: significant digits, no trailing zeros, exponent form when large or small.</summary>
    public static string FormatG(double value, int precision)
    {
        if (value == 0)
        {
            return "0";
        }

        var rounded = double.Parse(value.ToString("E" + (precision - 1).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
        var exp = rounded == 0 ? 0 : (int)Math.Floor(Math.Log10(Math.Abs(rounded)));
        if (exp < -4 || exp >= precision)
        {
            var mantissa = rounded / Math.Pow(10, exp);
            var m = mantissa.ToString("0." + new string('#', precision - 1), CultureInfo.InvariantCulture);
            return m + "e" + (exp < 0 ? "-" : "+") + Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture);
        }

        var decimals = Math.Max(0, precision - 1 - exp);
        return rounded.ToString("0." + new string('#', decimals), CultureInfo.InvariantCulture);
    }
}
