using System.Collections;
using System.Globalization;
using System.Text;

namespace Berth.Cli.Templates;

/// <summary>Go's fmt %v printing, truth, and encoding/json output for template values.</summary>
public static class GoValues
{
    public static string Sprint(object? v)
    {
        var sb = new StringBuilder();
        Print(sb, v, true);
        return sb.ToString();
    }

    public static void Print(StringBuilder sb, object? v, bool top)
    {
        switch (v)
        {
            case null:
                sb.Append("<nil>");
                break;
            case NoValue:
                sb.Append(top ? "<no value>" : "<nil>");
                break;
            case string s:
                sb.Append(s);
                break;
            case bool b:
                sb.Append(b ? "true" : "false");
                break;
            case long or int:
                sb.Append(Convert.ToInt64(v, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture));
                break;
            case double d:
                sb.Append(FormatFloat(d));
                break;
            case GoNumber n:
                sb.Append(n.Text);
                break;
            case GoNil nil:
                sb.Append(nil.ToString());
                break;
            case GoMap m:
                Join(sb, "map[", ' ', ']', m.Entries, kv =>
                {
                    sb.Append(kv.Key).Append(':');
                    Print(sb, kv.Value, false);
                });
                break;
            case GoStruct st:
                Join(sb, "{", ' ', '}', st.Fields, f => Print(sb, f.Value, false));
                break;
            case IFieldProvider p:
                Join(sb, "&{", ' ', '}', p.JsonFields, name => Print(sb, Field(p, name), false));
                break;
            case IList list:
                Join(sb, "[", ' ', ']', list.Cast<object?>(), item => Print(sb, item, false));
                break;
            default:
                sb.Append(Convert.ToString(v, CultureInfo.InvariantCulture));
                break;
        }
    }

    /// <summary>Go's %v for float64: shortest representation, exponent form outside [1e-4, 1e21).</summary>
    public static string FormatFloat(double d)
    {
        if (double.IsPositiveInfinity(d))
        {
            return "+Inf";
        }

        if (double.IsNegativeInfinity(d))
        {
            return "-Inf";
        }

        if (double.IsNaN(d))
        {
            return "NaN";
        }

        if (d == 0)
        {
            return double.IsNegative(d) ? "-0" : "0";
        }

        var r = d.ToString("R", CultureInfo.InvariantCulture);
        var exp = (int)Math.Floor(Math.Log10(Math.Abs(d)));
        if (exp < -4 || exp >= 21)
        {
            var e = d.ToString("E16", CultureInfo.InvariantCulture);
            // Shortest mantissa digits from "R", exponent in Go's form (e+06).
            var mant = r.Contains('E', StringComparison.Ordinal) ? r[..r.IndexOf('E', StringComparison.Ordinal)] : ShortMantissa(r);
            _ = e;
            return mant + "e" + (exp < 0 ? "-" : "+") + Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture);
        }

        if (r.Contains('E', StringComparison.Ordinal))
        {
            return d.ToString("0.####################", CultureInfo.InvariantCulture);
        }

        return r;
    }

    private static string ShortMantissa(string r)
    {
        var neg = r.StartsWith('-');
        var digits = r.TrimStart('-').Replace(".", string.Empty, StringComparison.Ordinal).TrimStart('0').TrimEnd('0');
        if (digits.Length == 0)
        {
            digits = "0";
        }

        var m = digits.Length > 1 ? digits[0] + "." + digits[1..] : digits;
        return neg ? "-" + m : m;
    }

    /// <summary>text/template's truth: zero values are false, structs are true.</summary>
    public static bool IsTrue(object? v) => v switch
    {
        null => false,
        NoValue => false,
        GoNil => false,
        bool b => b,
        string s => s.Length > 0,
        long l => l != 0,
        int i => i != 0,
        double d => d != 0,
        GoNumber n => n.AsDouble != 0,
        GoMap m => m.Entries.Count > 0,
        IList list => list.Count > 0,
        _ => true,
    };

    /// <summary>encoding/json with SetEscapeHTML(false), compact.</summary>
    public static string ToJson(object? v)
    {
        var sb = new StringBuilder();
        WriteJson(sb, v, false);
        return sb.ToString();
    }

    /// <summary>
    /// Writes JSON; <paramref name="escapeHtml"/> escapes &lt; &gt; &amp; as json.Marshal does
    /// (docker's formatting contexts marshal themselves that way).
    /// </summary>
    public static void WriteJson(StringBuilder sb, object? v, bool escapeHtml)
    {
        switch (v)
        {
            case null or NoValue or GoNil:
                sb.Append("null");
                break;
            case string s:
                WriteJsonString(sb, s, escapeHtml);
                break;
            case bool b:
                sb.Append(b ? "true" : "false");
                break;
            case long or int:
                sb.Append(Convert.ToInt64(v, CultureInfo.InvariantCulture).ToString(CultureInfo.InvariantCulture));
                break;
            case double d:
                sb.Append(d.ToString("R", CultureInfo.InvariantCulture));
                break;
            case GoNumber n:
                sb.Append(n.Text);
                break;
            case GoMap m:
                Join(sb, "{", ',', '}', m.Entries, kv =>
                {
                    WriteJsonString(sb, kv.Key, escapeHtml);
                    sb.Append(':');
                    WriteJson(sb, kv.Value, escapeHtml);
                });
                break;
            case GoStruct st:
                Join(sb, "{", ',', '}', st.Fields.Where(f => !st.Synthetic.Contains(f.Key)), f =>
                {
                    WriteJsonString(sb, f.Key, escapeHtml);
                    sb.Append(':');
                    WriteJson(sb, f.Value, escapeHtml);
                });
                break;
            case IFieldProvider p:
                // docker's formatting contexts marshal themselves: keys sorted, HTML escaped.
                Join(sb, "{", ',', '}', p.JsonFields.Order(StringComparer.Ordinal), name =>
                {
                    WriteJsonString(sb, name, true);
                    sb.Append(':');
                    WriteJson(sb, Field(p, name), true);
                });
                break;
            case IList list:
                Join(sb, "[", ',', ']', list.Cast<object?>(), item => WriteJson(sb, item, escapeHtml));
                break;
            default:
                WriteJsonString(sb, Convert.ToString(v, CultureInfo.InvariantCulture) ?? string.Empty, escapeHtml);
                break;
        }
    }

    /// <summary>Writes <paramref name="open"/>, the items separated by <paramref name="separator"/>, then <paramref name="close"/>.</summary>
    private static void Join<T>(StringBuilder sb, string open, char separator, char close, IEnumerable<T> items, Action<T> write)
    {
        sb.Append(open);
        var first = true;
        foreach (var item in items)
        {
            if (!first)
            {
                sb.Append(separator);
            }

            first = false;
            write(item);
        }

        sb.Append(close);
    }

    private static object? Field(IFieldProvider p, string name)
    {
        p.TryGetField(name, [], out var value);
        return value;
    }

    public static void WriteJsonString(StringBuilder sb, string s, bool escapeHtml = false)
    {
        sb.Append('"');
        foreach (var c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\u2028': sb.Append("\\u2028"); break;
                case '\u2029': sb.Append("\\u2029"); break;
                case '<' or '>' or '&' when escapeHtml:
                    sb.Append("\\u00").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    break;
                default:
                    if (c < 0x20)
                    {
                        sb.Append("\\u00").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        sb.Append('"');
    }

    /// <summary>A value as a string argument for string functions (lower, split, join...).</summary>
    public static string AsString(object? v) => v switch
    {
        string s => s,
        null => string.Empty,
        _ => Sprint(v),
    };

    /// <summary>Numeric view of a value, or null when it is not a number.</summary>
    public static double? AsNumber(object? v) => v switch
    {
        long l => l,
        int i => i,
        double d => d,
        GoNumber n => n.AsDouble,
        _ => null,
    };

    public static IList? AsList(object? v) => v switch
    {
        IList l => l,
        GoNil { Kind: NilKind.Slice } => Array.Empty<object?>(),
        _ => null,
    };
}
