namespace Berth.Cli.Parsing;

/// <summary>
/// Parses flags with pflag's semantics: <c>--name=v</c>, <c>--name v</c>, <c>-abc</c> (combined
/// booleans), <c>-nVALUE</c>, <c>-n=VALUE</c>, <c>--</c> to end flags, and flags anywhere among the
/// arguments unless the command stops at its first positional (run, create, exec).
/// </summary>
public static class FlagParser
{
    public static ParsedFlags Parse(IReadOnlyList<FlagSpec> specs, IReadOnlyList<string> args, bool interspersed)
    {
        var result = new ParsedFlags(specs);
        var byName = specs.ToDictionary(f => f.Name, StringComparer.Ordinal);
        var byShort = specs.Where(f => f.Short != '\0').ToDictionary(f => f.Short);
        var i = 0;
        while (i < args.Count)
        {
            var a = args[i++];
            if (a == "--")
            {
                result.Args.AddRange(args.Skip(i));
                break;
            }

            if (a.Length < 2 || a[0] != '-')
            {
                result.Args.Add(a);
                if (!interspersed)
                {
                    result.Args.AddRange(args.Skip(i));
                    break;
                }

                continue;
            }

            if (a[1] == '-')
            {
                var body = a[2..];
                var eq = body.IndexOf('=', StringComparison.Ordinal);
                var name = eq >= 0 ? body[..eq] : body;
                if (name.Length == 0 || name[0] == '-' || name[0] == '=')
                {
                    throw new UsageException($"bad flag syntax: {a}");
                }

                if (!byName.TryGetValue(name, out var spec))
                {
                    throw new UsageException($"unknown flag: --{name}");
                }

                string value;
                if (eq >= 0)
                {
                    value = body[(eq + 1)..];
                }
                else if (spec.Kind == FlagKind.Bool)
                {
                    value = "true";
                }
                else if (i < args.Count)
                {
                    value = args[i++];
                }
                else
                {
                    throw new UsageException($"flag needs an argument: --{name}");
                }

                Set(result, spec, value);
                continue;
            }

            // One or more shorthands: -abc, -nVALUE, -n=VALUE, -n VALUE.
            var shorts = a[1..];
            while (shorts.Length > 0)
            {
                var c = shorts[0];
                if (!byShort.TryGetValue(c, out var spec))
                {
                    throw new UsageException($"unknown shorthand flag: '{c}' in -{shorts}");
                }

                string value;
                if (shorts.Length > 2 && shorts[1] == '=')
                {
                    value = shorts[2..];
                    shorts = string.Empty;
                }
                else if (spec.Kind == FlagKind.Bool)
                {
                    value = "true";
                    shorts = shorts[1..];
                }
                else if (shorts.Length > 1)
                {
                    value = shorts[1..];
                    shorts = string.Empty;
                }
                else if (i < args.Count)
                {
                    value = args[i++];
                    shorts = string.Empty;
                }
                else
                {
                    throw new UsageException($"flag needs an argument: '{c}' in -{c}");
                }

                Set(result, spec, value);
            }
        }

        return result;
    }

    private static void Set(ParsedFlags result, FlagSpec spec, string value)
    {
        string? error = spec.Kind switch
        {
            FlagKind.Bool => GoParse.TryParseBool(value, out _) ? null : $"strconv.ParseBool: parsing {GoParse.Quote(value)}: invalid syntax",
            FlagKind.Int or FlagKind.Int64 => GoParse.TryParseInt(value, out _, out var e1) ? null : $"strconv.ParseInt: parsing {GoParse.Quote(value)}: {e1}",
            FlagKind.UInt => GoParse.TryParseInt(value, out var u, out var e2) && u >= 0 ? null : $"strconv.ParseUint: parsing {GoParse.Quote(value)}: {e2 ?? "invalid syntax"}",
            FlagKind.Duration => GoParse.TryParseDuration(value, out _) ? null : $"time: invalid duration {GoParse.Quote(value)}",
            FlagKind.Bytes => value == "-1" || GoParse.TryRamInBytes(value, out _) ? null : $"invalid size: '{value}'",
            FlagKind.List when spec.TypeName == "filter" && !value.Contains('=', StringComparison.Ordinal) => "bad format of filter (expected name=value)",
            FlagKind.List when spec.TypeName == "ulimit" => Berth.Core.Model.Ulimit.TryParse(value, out var ulimitError) is null ? ulimitError : null,
            FlagKind.Decimal => decimal.TryParse(value, global::System.Globalization.NumberStyles.Float, global::System.Globalization.CultureInfo.InvariantCulture, out _) ? null : $"failed to parse {value} as a rational number",
            _ => null,
        };
        if (error is not null)
        {
            throw new UsageException($"invalid argument {GoParse.Quote(value)} for {GoParse.Quote(spec.DisplayName)} flag: {error}");
        }

        result.Set(spec.AliasOf ?? spec.Name, value);
    }
}
