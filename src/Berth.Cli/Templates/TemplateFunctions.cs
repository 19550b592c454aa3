using System.Collections;
using System.Globalization;
using System.Text;

namespace Berth.Cli.Templates;

/// <summary>
/// The functions a template can call: Go's builtins plus docker's (json, split, join, title,
/// lower, upper, pad, truncate). <see cref="Header"/> is docker's HeaderFunctions, used to render
/// the header row of a <c>table</c> format, where the docker functions return their input.
/// </summary>
public sealed class TemplateFunctions
{
    private readonly Dictionary<string, Func<IReadOnlyList<object?>, object?>> _functions = new(StringComparer.Ordinal);

    private TemplateFunctions()
    {
    }

    public static TemplateFunctions Default { get; } = CreateDefault();

    public static TemplateFunctions Header { get; } = CreateHeader();

    public bool Contains(string name) => name is "and" or "or" || _functions.ContainsKey(name);

    public bool TryGet(string name, out Func<IReadOnlyList<object?>, object?> function) =>
        _functions.TryGetValue(name, out function!);

    private static TemplateFunctions CreateDefault()
    {
        var f = new TemplateFunctions();
        AddBuiltins(f);
        f._functions["json"] = a => { Want("json", a, 1); return GoValues.ToJson(a[0]); };
        f._functions["split"] = a =>
        {
            Want("split", a, 2);
            var s = GoValues.AsString(a[0]);
            var sep = GoValues.AsString(a[1]);
            return sep.Length == 0
                ? s.EnumerateRunes().Select(r => (object?)r.ToString()).ToList()
                : s.Split(sep).Select(x => (object?)x).ToList();
        };
        f._functions["join"] = a =>
        {
            Want("join", a, 2);
            var list = GoValues.AsList(a[0]) ?? throw new TemplateException($"wrong type for value; expected []string; got {GoFmt.TypeName(a[0])}");
            return string.Join(GoValues.AsString(a[1]), list.Cast<object?>().Select(GoValues.AsString));
        };
        f._functions["title"] = a => { Want("title", a, 1); return Title(GoValues.AsString(a[0])); };
        f._functions["lower"] = a => { Want("lower", a, 1); return GoValues.AsString(a[0]).ToLowerInvariant(); };
        f._functions["upper"] = a => { Want("upper", a, 1); return GoValues.AsString(a[0]).ToUpperInvariant(); };
        f._functions["pad"] = a =>
        {
            Want("pad", a, 3);
            var s = GoValues.AsString(a[0]);
            return s.Length == 0 ? s : new string(' ', (int)(GoValues.AsNumber(a[1]) ?? 0)) + s + new string(' ', (int)(GoValues.AsNumber(a[2]) ?? 0));
        };
        f._functions["truncate"] = a =>
        {
            Want("truncate", a, 2);
            var s = GoValues.AsString(a[0]);
            var n = (int)(GoValues.AsNumber(a[1]) ?? 0);
            var runes = s.EnumerateRunes().ToList();
            return n < runes.Count ? string.Concat(runes.Take(n).Select(r => r.ToString())) : s;
        };
        return f;
    }

    private static TemplateFunctions CreateHeader()
    {
        var f = new TemplateFunctions();
        AddBuiltins(f);
        foreach (var name in new[] { "json", "split", "join", "title", "lower", "upper", "pad", "truncate" })
        {
            f._functions[name] = a => a.Count > 0 ? GoValues.AsString(a[0]) : string.Empty;
        }

        return f;
    }

    private static void AddBuiltins(TemplateFunctions f)
    {
        f._functions["not"] = a => { Want("not", a, 1); return !GoValues.IsTrue(a[0]); };
        f._functions["len"] = a =>
        {
            Want("len", a, 1);
            return a[0] switch
            {
                string s => (long)Encoding.UTF8.GetByteCount(s),
                GoMap m => (long)m.Entries.Count,
                GoNil => 0L,
                IList l => (long)l.Count,
                _ => throw new TemplateException($"error calling len: len of type {GoFmt.TypeName(a[0])}"),
            };
        };
        f._functions["index"] = a =>
        {
            if (a.Count < 1)
            {
                throw new TemplateException("wrong number of args for index: want at least 1 got 0");
            }

            var v = a[0];
            for (var i = 1; i < a.Count; i++)
            {
                v = Index(v, a[i]);
            }

            return v;
        };
        f._functions["slice"] = a =>
        {
            if (a.Count < 1)
            {
                throw new TemplateException("wrong number of args for slice: want at least 1 got 0");
            }

            var from = a.Count > 1 ? (int)(GoValues.AsNumber(a[1]) ?? 0) : 0;
            if (a[0] is string s)
            {
                var to = a.Count > 2 ? (int)(GoValues.AsNumber(a[2]) ?? 0) : s.Length;
                return s[from..to];
            }

            var list = GoValues.AsList(a[0]) ?? throw new TemplateException($"error calling slice: can't slice item of type {GoFmt.TypeName(a[0])}");
            var end = a.Count > 2 ? (int)(GoValues.AsNumber(a[2]) ?? 0) : list.Count;
            return list.Cast<object?>().Skip(from).Take(end - from).ToList();
        };
        f._functions["print"] = GoFmt.Sprint;
        f._functions["println"] = GoFmt.Sprintln;
        f._functions["printf"] = a =>
        {
            if (a.Count < 1)
            {
                throw new TemplateException("wrong number of args for printf: want at least 1 got 0");
            }

            return GoFmt.Sprintf(GoValues.AsString(a[0]), a.Skip(1).ToList());
        };
        f._functions["eq"] = a =>
        {
            if (a.Count < 2)
            {
                throw new TemplateException("missing argument for comparison");
            }

            for (var i = 1; i < a.Count; i++)
            {
                if (Compare(a[0], a[i], true) == 0)
                {
                    return true;
                }
            }

            return false;
        };
        f._functions["ne"] = a => { Want("ne", a, 2); return Compare(a[0], a[1], true) != 0; };
        f._functions["lt"] = a => { Want("lt", a, 2); return Compare(a[0], a[1], false) < 0; };
        f._functions["le"] = a => { Want("le", a, 2); return Compare(a[0], a[1], false) <= 0; };
        f._functions["gt"] = a => { Want("gt", a, 2); return Compare(a[0], a[1], false) > 0; };
        f._functions["ge"] = a => { Want("ge", a, 2); return Compare(a[0], a[1], false) >= 0; };
        f._functions["html"] = a => System.Net.WebUtility.HtmlEncode(GoFmt.Sprint(a)).Replace("&#39;", "&#39;", StringComparison.Ordinal);
        f._functions["js"] = a => GoFmt.Sprint(a).Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal);
        f._functions["urlquery"] = a => Uri.EscapeDataString(GoFmt.Sprint(a));
        f._functions["call"] = _ => throw new TemplateException("error calling call: non-function values cannot be called");
    }

    private static object? Index(object? v, object? key)
    {
        switch (v)
        {
            case GoMap m:
                var k = GoValues.AsString(key);
                return m.Entries.TryGetValue(k, out var mv) ? mv : m.StringValued ? string.Empty : NoValue.Instance;
            case GoStruct st:
                var sk = GoValues.AsString(key);
                return st.Index.TryGetValue(sk, out var sv) ? sv : NoValue.Instance;
            case GoNil { Kind: NilKind.Map }:
                return NoValue.Instance;
            case IList list:
                var n = GoValues.AsNumber(key) ?? throw new TemplateException($"error calling index: cannot index slice/array with type {GoFmt.TypeName(key)}");
                if (n < 0 || n >= list.Count)
                {
                    throw new TemplateException($"error calling index: index out of range: {(long)n}");
                }

                return list[(int)n];
            case string s:
                var si = (int)(GoValues.AsNumber(key) ?? 0);
                if (si < 0 || si >= s.Length)
                {
                    throw new TemplateException($"error calling index: index out of range: {si}");
                }

                return (long)s[si];
            case null or NoValue or GoNil:
                throw new TemplateException("error calling index: index of untyped nil");
            default:
                throw new TemplateException($"error calling index: can't index item of type {GoFmt.TypeName(v)}");
        }
    }

    /// <summary>Go's comparison rules, loosened for JSON numbers (which carry no Go type here).</summary>
    public static int Compare(object? a, object? b, bool equalityOnly)
    {
        var na = GoValues.AsNumber(a);
        var nb = GoValues.AsNumber(b);
        if (na is not null && nb is not null)
        {
            return na.Value.CompareTo(nb.Value);
        }

        if (a is string sa && b is string sb)
        {
            return string.CompareOrdinal(sa, sb);
        }

        if (a is bool ba && b is bool bb)
        {
            if (!equalityOnly)
            {
                throw new TemplateException("invalid type for comparison");
            }

            return ba == bb ? 0 : 1;
        }

        var aNil = a is null or GoNil or NoValue;
        var bNil = b is null or GoNil or NoValue;
        if (aNil || bNil)
        {
            if (equalityOnly)
            {
                return aNil && bNil ? 0 : 1;
            }

            throw new TemplateException("invalid type for comparison");
        }

        if (!equalityOnly || a is GoMap or GoStruct or IList || b is GoMap or GoStruct or IList)
        {
            throw new TemplateException(equalityOnly ? "error calling eq: incompatible types for comparison" : "incompatible types for comparison");
        }

        throw new TemplateException("incompatible types for comparison");
    }

    private static void Want(string name, IReadOnlyList<object?> args, int n)
    {
        if (args.Count != n)
        {
            throw new TemplateException($"wrong number of args for {name}: want {n} got {args.Count}");
        }
    }

    private static string Title(string s)
    {
        var sb = new StringBuilder(s.Length);
        var prevLetter = false;
        foreach (var c in s)
        {
            sb.Append(prevLetter ? c : char.ToUpper(c, CultureInfo.InvariantCulture));
            prevLetter = char.IsLetterOrDigit(c) || c == '_' || c == '\'';
        }

        return sb.ToString();
    }
}
