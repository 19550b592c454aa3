using System.Globalization;
using System.Text;
using System.Text.Json;
using Berth.Core.Errors;
using Berth.Core.Filters;
using Berth.Core.Model;

namespace Berth.Images.Formats;

/// <summary>
/// The <c>--change</c> / <c>-c</c> values of <c>docker import</c> and <c>docker commit</c>: one Dockerfile
/// instruction each (CMD, ENTRYPOINT, ENV, EXPOSE, HEALTHCHECK, LABEL, ONBUILD, STOPSIGNAL, USER,
/// VOLUME, WORKDIR), applied in order to an image config as the classic builder would: exec (JSON)
/// and shell forms, quoting, $VAR substitution from the config's environment, ENTRYPOINT clearing an
/// inherited CMD.
/// </summary>
public static class ConfigChanges
{
    private static readonly string[] Allowed = ["CMD", "ENTRYPOINT", "ENV", "EXPOSE", "HEALTHCHECK", "LABEL", "ONBUILD", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR"];

    public static ImageConfig Apply(ImageConfig config, IEnumerable<string> changes)
    {
        var cmdSet = false;
        foreach (var raw in changes)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var sp = line.IndexOfAny([' ', '\t']);
            var instr = (sp < 0 ? line : line[..sp]).ToUpperInvariant();
            var rest = sp < 0 ? string.Empty : line[(sp + 1)..].Trim();
            if (Array.IndexOf(Allowed, instr) < 0)
            {
                throw BerthException.Invalid($"{(sp < 0 ? line : line[..sp])} is not a valid change command");
            }

            if (rest.Length == 0 && instr is not ("CMD" or "ENTRYPOINT"))
            {
                throw BerthException.Invalid($"{instr} requires at least one argument");
            }

            switch (instr)
            {
                case "CMD":
                    config = config with { Cmd = CommandForm(rest) };
                    cmdSet = true;
                    break;
                case "ENTRYPOINT":
                    config = config with { Entrypoint = rest.Length == 0 ? null : CommandForm(rest), Cmd = cmdSet ? config.Cmd : null };
                    break;
                case "ENV":
                    var env = config.Env.ToList();
                    foreach (var (k, v) in NameValues(instr, rest, env))
                    {
                        env.RemoveAll(e => e == k || e.StartsWith(k + "=", StringComparison.Ordinal));
                        env.Add(k + "=" + v);
                    }

                    config = config with { Env = env };
                    break;
                case "LABEL":
                    var labels = new Dictionary<string, string>(config.Labels, StringComparer.Ordinal);
                    foreach (var (k, v) in NameValues(instr, rest, config.Env))
                    {
                        labels[k] = v;
                    }

                    config = config with { Labels = labels };
                    break;
                case "EXPOSE":
                    var ports = config.ExposedPorts.ToList();
                    foreach (var word in Words(rest, config.Env))
                    {
                        foreach (var p in ExpandPort(word))
                        {
                            if (!ports.Contains(p))
                            {
                                ports.Add(p);
                            }
                        }
                    }

                    config = config with { ExposedPorts = ports };
                    break;
                case "VOLUME":
                    var vols = config.Volumes.ToList();
                    var list = JsonArray(rest) ?? Words(rest, config.Env);
                    foreach (var v in list)
                    {
                        if (string.IsNullOrWhiteSpace(v))
                        {
                            throw BerthException.Invalid("VOLUME specified can not be an empty string");
                        }

                        if (!vols.Contains(v))
                        {
                            vols.Add(v);
                        }
                    }

                    config = config with { Volumes = vols };
                    break;
                case "USER":
                    config = config with { User = Substitute(rest, config.Env) };
                    break;
                case "STOPSIGNAL":
                    config = config with { StopSignal = Substitute(rest, config.Env) };
                    break;
                case "WORKDIR":
                    var dir = Substitute(rest, config.Env);
                    if (!dir.StartsWith('/'))
                    {
                        dir = (string.IsNullOrEmpty(config.WorkingDir) ? "/" : config.WorkingDir.TrimEnd('/') + "/") + dir;
                    }

                    config = config with { WorkingDir = CleanPath(dir) };
                    break;
                case "ONBUILD":
                    var trigger = rest.TrimStart();
                    var first = trigger.Split(' ', 2)[0].ToUpperInvariant();
                    if (first is "ONBUILD" or "FROM" or "MAINTAINER")
                    {
                        throw BerthException.Invalid($"{first} isn't allowed as an ONBUILD trigger");
                    }

                    config = config with { OnBuild = [.. config.OnBuild ?? [], trigger] };
                    break;
                case "HEALTHCHECK":
                    config = config with { Healthcheck = Healthcheck(rest) };
                    break;
            }
        }

        return config;
    }

    /// <summary>Exec form when the text is a JSON array of strings, else shell form /bin/sh -c.</summary>
    private static List<string> CommandForm(string rest) => JsonArray(rest) ?? ["/bin/sh", "-c", rest];

    private static List<string>? JsonArray(string text)
    {
        if (!text.StartsWith('['))
        {
            return null;
        }

        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind != JsonValueKind.Array || doc.RootElement.EnumerateArray().Any(e => e.ValueKind != JsonValueKind.String))
            {
                return null;
            }

            return doc.RootElement.EnumerateArray().Select(e => e.GetString()!).ToList();
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static List<(string Key, string Value)> NameValues(string instr, string rest, IReadOnlyList<string> env)
    {
        var words = Words(rest, env, keepEmpty: true);
        var result = new List<(string, string)>();
        if (words.Count > 0 && !words[0].Contains('=', StringComparison.Ordinal))
        {
            // legacy form: NAME value with spaces
            var sp = rest.IndexOfAny([' ', '\t']);
            if (sp < 0)
            {
                throw BerthException.Invalid($"{instr} must have two arguments");
            }

            var value = Words(rest[(sp + 1)..].Trim(), env, keepEmpty: true);
            result.Add((rest[..sp], string.Join(' ', value)));
            return result;
        }

        foreach (var w in words)
        {
            var eq = w.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0)
            {
                throw BerthException.Invalid($"{instr} names can not be blank");
            }

            result.Add((w[..eq], w[(eq + 1)..]));
        }

        return result;
    }

    /// <summary>Splits on unquoted whitespace, removing quotes and backslash escapes, substituting $VARs.</summary>
    public static List<string> Words(string text, IReadOnlyList<string> env, bool keepEmpty = false)
    {
        var words = new List<string>();
        var sb = new StringBuilder();
        var inWord = false;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    words.Add(sb.ToString());
                    sb.Clear();
                    inWord = false;
                }

                i++;
                continue;
            }

            inWord = true;
            if (c == '\'')
            {
                var end = text.IndexOf('\'', i + 1);
                if (end < 0)
                {
                    throw BerthException.Invalid($"unexpected end of statement while looking for matching single-quote");
                }

                sb.Append(text, i + 1, end - i - 1);
                i = end + 1;
            }
            else if (c == '"')
            {
                i++;
                while (i < text.Length && text[i] != '"')
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        sb.Append(text[i + 1]);
                        i += 2;
                    }
                    else if (text[i] == '$')
                    {
                        i = AppendVariable(text, i, env, sb);
                    }
                    else
                    {
                        sb.Append(text[i++]);
                    }
                }

                if (i >= text.Length)
                {
                    throw BerthException.Invalid("unexpected end of statement while looking for matching double-quote");
                }

                i++;
            }
            else if (c == '\\' && i + 1 < text.Length)
            {
                sb.Append(text[i + 1]);
                i += 2;
            }
            else if (c == '$')
            {
                i = AppendVariable(text, i, env, sb);
            }
            else
            {
                sb.Append(c);
                i++;
            }
        }

        if (inWord && (sb.Length > 0 || keepEmpty))
        {
            words.Add(sb.ToString());
        }

        return words;
    }

    private static string Substitute(string text, IReadOnlyList<string> env) => string.Join(' ', Words(text, env));

    private static int AppendVariable(string text, int i, IReadOnlyList<string> env, StringBuilder sb)
    {
        var start = i + 1;
        if (start < text.Length && text[start] == '{')
        {
            var end = text.IndexOf('}', start);
            if (end < 0)
            {
                throw BerthException.Invalid("missing '}' in variable substitution");
            }

            var inner = text[(start + 1)..end];
            var sep = inner.IndexOf(":-", StringComparison.Ordinal);
            var name = sep >= 0 ? inner[..sep] : inner;
            var value = Lookup(env, name);
            sb.Append(string.IsNullOrEmpty(value) && sep >= 0 ? inner[(sep + 2)..] : value ?? string.Empty);
            return end + 1;
        }

        var j = start;
        while (j < text.Length && (char.IsAsciiLetterOrDigit(text[j]) || text[j] == '_'))
        {
            j++;
        }

        if (j == start)
        {
            sb.Append('$');
            return start;
        }

        sb.Append(Lookup(env, text[start..j]) ?? string.Empty);
        return j;
    }

    private static string? Lookup(IReadOnlyList<string> env, string name)
    {
        for (var k = env.Count - 1; k >= 0; k--)
        {
            if (env[k].StartsWith(name + "=", StringComparison.Ordinal))
            {
                return env[k][(name.Length + 1)..];
            }
        }

        return null;
    }

    private static IEnumerable<string> ExpandPort(string word)
    {
        var slash = word.IndexOf('/', StringComparison.Ordinal);
        var proto = slash < 0 ? "tcp" : word[(slash + 1)..].ToLowerInvariant();
        var ports = slash < 0 ? word : word[..slash];
        if (proto is not ("tcp" or "udp" or "sctp"))
        {
            throw BerthException.Invalid($"invalid proto: {proto}");
        }

        var dash = ports.IndexOf('-', StringComparison.Ordinal);
        var lo = dash < 0 ? ports : ports[..dash];
        var hi = dash < 0 ? ports : ports[(dash + 1)..];
        if (!ushort.TryParse(lo, NumberStyles.None, CultureInfo.InvariantCulture, out var a) || !ushort.TryParse(hi, NumberStyles.None, CultureInfo.InvariantCulture, out var b) || b < a)
        {
            throw BerthException.Invalid($"invalid containerPort: {ports}");
        }

        for (var p = (int)a; p <= b; p++)
        {
            yield return $"{p}/{proto}";
        }
    }

    private static HealthConfig Healthcheck(string rest)
    {
        var h = new HealthConfig();
        var text = rest;
        while (text.StartsWith("--", StringComparison.Ordinal))
        {
            var sp = text.IndexOfAny([' ', '\t']);
            var flag = sp < 0 ? text : text[..sp];
            text = sp < 0 ? string.Empty : text[(sp + 1)..].TrimStart();
            var eq = flag.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                throw BerthException.Invalid($"missing value for flag {flag}");
            }

            var name = flag[2..eq];
            var value = flag[(eq + 1)..];
            h = name switch
            {
                "interval" => h with { Interval = Duration(name, value) },
                "timeout" => h with { Timeout = Duration(name, value) },
                "start-period" => h with { StartPeriod = Duration(name, value) },
                "start-interval" => h with { StartInterval = Duration(name, value) },
                "retries" => h with { Retries = int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var r) && r > 0 ? r : throw BerthException.Invalid("--retries must be at least 1") },
                _ => throw BerthException.Invalid($"Unknown flag: {name}"),
            };
        }

        var sp2 = text.IndexOfAny([' ', '\t']);
        var kind = (sp2 < 0 ? text : text[..sp2]).ToUpperInvariant();
        var args = sp2 < 0 ? string.Empty : text[(sp2 + 1)..].Trim();
        if (kind == "NONE")
        {
            if (args.Length > 0)
            {
                throw BerthException.Invalid("HEALTHCHECK NONE takes no arguments");
            }

            return new HealthConfig { Test = ["NONE"] };
        }

        if (kind != "CMD")
        {
            throw BerthException.Invalid($"Unknown type \"{kind}\" in HEALTHCHECK (try CMD)");
        }

        if (args.Length == 0)
        {
            throw BerthException.Invalid("Missing command after HEALTHCHECK CMD");
        }

        return h with { Test = JsonArray(args) is { } exec ? ["CMD", .. exec] : ["CMD-SHELL", args] };
    }

    private static long Duration(string flag, string value)
    {
        if (!TimeFilter.TryParseDuration(value, out var d))
        {
            throw BerthException.Invalid($"time: invalid duration \"{value}\"");
        }

        if (d != TimeSpan.Zero && d < TimeSpan.FromMilliseconds(1))
        {
            throw BerthException.Invalid($"Interval \"{flag}\" cannot be less than 1ms");
        }

        return d.Ticks * 100;
    }

    private static string CleanPath(string path)
    {
        var parts = new List<string>();
        foreach (var seg in path.Split('/'))
        {
            if (seg.Length == 0 || seg == ".")
            {
                continue;
            }

            if (seg == "..")
            {
                if (parts.Count > 0)
                {
                    parts.RemoveAt(parts.Count - 1);
                }

                continue;
            }

            parts.Add(seg);
        }

        return "/" + string.Join('/', parts);
    }
}
