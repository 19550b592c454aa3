using System.Globalization;
using System.Text;

namespace Berth.Cli.Parsing;

/// <summary>Go's strconv / time / go-units parsing and quoting, as docker's flags use them.</summary>
public static class GoParse
{
    public static bool TryParseBool(string s, out bool value)
    {
        switch (s)
        {
            case "1" or "t" or "T" or "TRUE" or "true" or "True":
                value = true;
                return true;
            case "0" or "f" or "F" or "FALSE" or "false" or "False":
                value = false;
                return true;
            default:
                value = false;
                return false;
        }
    }

    public static bool ParseBool(string s) => TryParseBool(s, out var v) && v;

    /// <summary>strconv.ParseInt(s, 0, 64): decimal, 0x hex, 0o/0 octal, 0b binary, underscores.</summary>
    public static bool TryParseInt(string s, out long value, out string? error)
    {
        value = 0;
        error = "invalid syntax";
        var t = s;
        var neg = false;
        if (t.StartsWith('-') || t.StartsWith('+'))
        {
            neg = t[0] == '-';
            t = t[1..];
        }

        if (t.Length == 0)
        {
            return false;
        }

        var radix = 10;
        if (t.Length > 1 && t[0] == '0')
        {
            switch (char.ToLowerInvariant(t[1]))
            {
                case 'x': radix = 16; t = t[2..]; break;
                case 'b': radix = 2; t = t[2..]; break;
                case 'o': radix = 8; t = t[2..]; break;
                default: radix = 8; t = t[1..]; break;
            }
        }

        t = t.Replace("_", string.Empty, StringComparison.Ordinal);
        if (t.Length == 0)
        {
            return false;
        }

        ulong acc = 0;
        foreach (var ch in t)
        {
            var d = ch switch
            {
                >= '0' and <= '9' => ch - '0',
                >= 'a' and <= 'z' => ch - 'a' + 10,
                >= 'A' and <= 'Z' => ch - 'A' + 10,
                _ => 99,
            };
            if (d >= radix)
            {
                return false;
            }

            var next = (acc * (ulong)radix) + (ulong)d;
            if (next / (ulong)radix != acc && acc != 0)
            {
                error = "value out of range";
                return false;
            }

            acc = next;
        }

        if ((!neg && acc > long.MaxValue) || (neg && acc > (ulong)long.MaxValue + 1))
        {
            error = "value out of range";
            return false;
        }

        value = neg ? (long)(0 - acc) : (long)acc;
        error = null;
        return true;
    }

    public static long ParseInt(string s) => TryParseInt(s, out var v, out _) ? v : 0;

    /// <summary>time.ParseDuration; the result is in nanoseconds.</summary>
    public static bool TryParseDuration(string s, out long nanos)
    {
        nanos = 0;
        var t = s;
        var neg = false;
        if (t.StartsWith('-') || t.StartsWith('+'))
        {
            neg = t[0] == '-';
            t = t[1..];
        }

        if (t == "0")
        {
            return true;
        }

        if (t.Length == 0)
        {
            return false;
        }

        decimal total = 0;
        while (t.Length > 0)
        {
            var i = 0;
            while (i < t.Length && (char.IsAsciiDigit(t[i]) || t[i] == '.'))
            {
                i++;
            }

            if (i == 0 || !decimal.TryParse(t.AsSpan(0, i), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
            {
                return false;
            }

            t = t[i..];
            var j = 0;
            while (j < t.Length && !char.IsAsciiDigit(t[j]) && t[j] != '.')
            {
                j++;
            }

            var unit = t[..j];
            t = t[j..];
            decimal mult = unit switch
            {
                "ns" => 1m,
                "us" or "µs" or "μs" => 1_000m,
                "ms" => 1_000_000m,
                "s" => 1_000_000_000m,
                "m" => 60_000_000_000m,
                "h" => 3_600_000_000_000m,
                _ => -1m,
            };
            if (mult < 0)
            {
                return false;
            }

            total += number * mult;
        }

        nanos = (long)decimal.Truncate(neg ? -total : total);
        return true;
    }

    public static long ParseDuration(string s) => TryParseDuration(s, out var v) ? v : 0;

    /// <summary>go-units RAMInBytes: binary multipliers, optional "b"/"ib" suffix.</summary>
    public static bool TryRamInBytes(string s, out long bytes)
    {
        bytes = 0;
        var t = s.Trim();
        var i = 0;
        while (i < t.Length && (char.IsAsciiDigit(t[i]) || t[i] == '.'))
        {
            i++;
        }

        if (i == 0 || !decimal.TryParse(t.AsSpan(0, i), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var number))
        {
            return false;
        }

        var rest = t[i..];
        if (rest.StartsWith(' '))
        {
            rest = rest[1..];
        }

        var lower = rest.ToLowerInvariant();
        decimal mult = 1;
        if (lower.Length > 0 && "kmgtp".Contains(lower[0], StringComparison.Ordinal))
        {
            mult = lower[0] switch
            {
                'k' => 1024m,
                'm' => 1024m * 1024,
                'g' => 1024m * 1024 * 1024,
                't' => 1024m * 1024 * 1024 * 1024,
                _ => 1024m * 1024 * 1024 * 1024 * 1024,
            };
            lower = lower[1..];
        }

        if (lower is not ("" or "b" or "i" or "ib"))
        {
            return false;
        }

        bytes = (long)(number * mult);
        return true;
    }

    public static long RamInBytes(string s) => s == "-1" ? -1 : TryRamInBytes(s, out var v) ? v : 0;

    /// <summary>strconv.Quote.</summary>
    public static string Quote(string s)
    {
        var sb = new StringBuilder(s.Length + 2);
        sb.Append('"');
        for (var i = 0; i < s.Length; i++)
        {
            var c = s[i];
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\a': sb.Append("\\a"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\v': sb.Append("\\v"); break;
                default:
                    if (c < 0x20 || c == 0x7f)
                    {
                        sb.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    }
                    else if (char.IsHighSurrogate(c) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
                    {
                        sb.Append(c).Append(s[i + 1]);
                        i++;
                    }
                    else if (char.IsSurrogate(c))
                    {
                        sb.Append("\\ufffd");
                    }
                    else if (c >= 0x80 && (char.IsControl(c) || char.GetUnicodeCategory(c) is UnicodeCategory.Format or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.OtherNotAssigned))
                    {
                        sb.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
        return sb.ToString();
    }
}
