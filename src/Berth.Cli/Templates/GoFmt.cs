using System.Globalization;
using System.Text;

namespace Berth.Cli.Templates;

/// <summary>fmt.Sprintf / Sprint / Sprintln for template values (the verbs people use).</summary>
public static class GoFmt
{
    public static string Sprint(IReadOnlyList<object?> args)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < args.Count; i++)
        {
            // Sprint adds a space between operands when neither is a string.
            if (i > 0 && args[i] is not string && args[i - 1] is not string)
            {
                sb.Append(' ');
            }

            GoValues.Print(sb, args[i], true);
        }

        return sb.ToString();
    }

    public static string Sprintln(IReadOnlyList<object?> args)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < args.Count; i++)
        {
            if (i > 0)
            {
                sb.Append(' ');
            }

            GoValues.Print(sb, args[i], true);
        }

        return sb.Append('\n').ToString();
    }

    public static string Sprintf(string format, IReadOnlyList<object?> args)
    {
        var sb = new StringBuilder();
        var argi = 0;
        for (var i = 0; i < format.Length; i++)
        {
            var c = format[i];
            if (c != '%')
            {
                sb.Append(c);
                continue;
            }

            if (++i >= format.Length)
            {
                sb.Append("%!(NOVERB)");
                break;
            }

            var minus = false;
            var plus = false;
            var zero = false;
            var space = false;
            var sharp = false;
            for (; i < format.Length; i++)
            {
                switch (format[i])
                {
                    case '-': minus = true; continue;
                    case '+': plus = true; continue;
                    case '0': zero = true; continue;
                    case ' ': space = true; continue;
                    case '#': sharp = true; continue;
                }

                break;
            }

            int? width = null;
            if (i < format.Length && format[i] == '*')
            {
                width = argi < args.Count ? (int)(GoValues.AsNumber(args[argi++]) ?? 0) : 0;
                i++;
            }
            else
            {
                var ws = i;
                while (i < format.Length && char.IsAsciiDigit(format[i]))
                {
                    i++;
                }

                if (i > ws)
                {
                    width = int.Parse(format.AsSpan(ws, i - ws), CultureInfo.InvariantCulture);
                }
            }

            int? precision = null;
            if (i < format.Length && format[i] == '.')
            {
                i++;
                var ps = i;
                while (i < format.Length && char.IsAsciiDigit(format[i]))
                {
                    i++;
                }

                precision = i > ps ? int.Parse(format.AsSpan(ps, i - ps), CultureInfo.InvariantCulture) : 0;
            }

            if (i >= format.Length)
            {
                sb.Append("%!(NOVERB)");
                break;
            }

            var verb = format[i];
            if (verb == '%')
            {
                sb.Append('%');
                continue;
            }

            if (argi >= args.Count)
            {
                sb.Append("%!").Append(verb).Append("(MISSING)");
                continue;
            }

            var arg = args[argi++];
            var text = FormatOne(verb, arg, precision, plus, space, sharp);
            if (width is { } w && text.Length < w)
            {
                var pad = new string(zero && !minus && verb is not ('s' or 'v' or 'q') ? '0' : ' ', w - text.Length);
                if (minus)
                {
                    text += new string(' ', w - text.Length);
                }
                else if (pad[0] == '0' && text.Length > 0 && (text[0] == '-' || text[0] == '+'))
                {
                    text = text[0] + pad + text[1..];
                }
                else
                {
                    text = pad + text;
                }
            }

            sb.Append(text);
        }

        if (argi < args.Count)
        {
            sb.Append("%!(EXTRA ");
            for (var k = argi; k < args.Count; k++)
            {
                if (k > argi)
                {
                    sb.Append(", ");
                }

                sb.Append(TypeName(args[k])).Append('=');
                GoValues.Print(sb, args[k], true);
            }

            sb.Append(')');
        }

        return sb.ToString();
    }

    private static string FormatOne(char verb, object? arg, int? precision, bool plus, bool space, bool sharp)
    {
        var num = GoValues.AsNumber(arg);
        var isInt = arg is long or int || (arg is GoNumber gn && gn.IsInteger);
        switch (verb)
        {
            case 'v':
                if (plus && arg is GoStruct st)
                {
                    var sb = new StringBuilder("{");
                    for (var k = 0; k < st.Fields.Count; k++)
                    {
                        if (k > 0)
                        {
                            sb.Append(' ');
                        }

                        sb.Append(st.Fields[k].Key).Append(':');
                        GoValues.Print(sb, st.Fields[k].Value, false);
                    }

                    return sb.Append('}').ToString();
                }

                return sharp && arg is string s0 ? Parsing.GoParse.Quote(s0) : GoValues.Sprint(arg);
            case 's':
                {
                    var s = arg is string str ? str : GoValues.Sprint(arg);
                    if (arg is long or int or bool || (arg is GoNumber && num is not null))
                    {
                        return $"%!s({TypeName(arg)}={GoValues.Sprint(arg)})";
                    }

                    return precision is { } p && s.Length > p ? s[..p] : s;
                }

            case 'q':
                return arg is string qs ? Parsing.GoParse.Quote(qs) : isInt ? "'" + char.ConvertFromUtf32((int)num!.Value) + "'" : $"%!q({TypeName(arg)}={GoValues.Sprint(arg)})";
            case 't':
                return arg is bool b ? (b ? "true" : "false") : $"%!t({TypeName(arg)}={GoValues.Sprint(arg)})";
            case 'd':
                if (isInt)
                {
                    var l = (long)num!.Value;
                    return (plus && l >= 0 ? "+" : space && l >= 0 ? " " : string.Empty) + l.ToString(CultureInfo.InvariantCulture);
                }

                return $"%!d({TypeName(arg)}={GoValues.Sprint(arg)})";
            case 'x' or 'X':
                if (isInt)
                {
                    var hex = ((long)num!.Value).ToString(verb == 'x' ? "x" : "X", CultureInfo.InvariantCulture);
                    return sharp ? "0x" + hex : hex;
                }

                if (arg is string hs)
                {
                    var bytes = Encoding.UTF8.GetBytes(hs);
                    var h = Convert.ToHexString(bytes);
                    return verb == 'x' ? h.ToLowerInvariant() : h;
                }

                return $"%!{verb}({TypeName(arg)}={GoValues.Sprint(arg)})";
            case 'o':
                return isInt ? Convert.ToString((long)num!.Value, 8) : $"%!o({TypeName(arg)}={GoValues.Sprint(arg)})";
            case 'b':
                return isInt ? Convert.ToString((long)num!.Value, 2) : $"%!b({TypeName(arg)}={GoValues.Sprint(arg)})";
            case 'c':
                return isInt ? char.ConvertFromUtf32((int)num!.Value) : $"%!c({TypeName(arg)}={GoValues.Sprint(arg)})";
            case 'f' or 'F':
                if (num is { } f && !isInt)
                {
                    return (plus && f >= 0 ? "+" : string.Empty) + f.ToString("F" + (precision ?? 6).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
                }

                return $"%!{verb}({TypeName(arg)}={GoValues.Sprint(arg)})";
            case 'e' or 'E':
                if (num is { } e && !isInt)
                {
                    var t = e.ToString((verb == 'e' ? "e" : "E") + (precision ?? 6).ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
                    // .NET writes e+006; Go writes e+06.
                    var idx = t.IndexOfAny(['e', 'E']);
                    var expPart = int.Parse(t.AsSpan(idx + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
                    return t[..(idx + 1)] + (expPart < 0 ? "-" : "+") + Math.Abs(expPart).ToString("00", CultureInfo.InvariantCulture);
                }

                return $"%!{verb}({TypeName(arg)}={GoValues.Sprint(arg)})";
            case 'g' or 'G':
                if (num is { } g && !isInt)
                {
                    return precision is { } gp ? g.ToString("G" + gp.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture) : GoValues.FormatFloat(g);
                }

                return $"%!{verb}({TypeName(arg)}={GoValues.Sprint(arg)})";
            case 'T':
                return TypeName(arg);
            case 'U':
                return isInt ? "U+" + ((long)num!.Value).ToString("X4", CultureInfo.InvariantCulture) : $"%!U({TypeName(arg)}={GoValues.Sprint(arg)})";
            default:
                return $"%!{verb}({TypeName(arg)}={GoValues.Sprint(arg)})";
        }
    }

    public static string TypeName(object? v) => v switch
    {
        null or NoValue => "<nil>",
        string => "string",
        bool => "bool",
        long or int => "int",
        double => "float64",
        GoNumber n => n.IsInteger ? "int" : "float64",
        GoMap => "map[string]interface {}",
        GoStruct => "struct",
        GoNil => "<nil>",
        System.Collections.IList => "[]interface {}",
        IFieldProvider p => p.TypeName,
        _ => v.GetType().Name,
    };
}
