using System.Globalization;
using Berth.Core.Errors;

namespace Berth.Containers;

/// <summary>Linux signal names and numbers as Docker parses them ("SIGTERM", "TERM", "15", "RTMIN+3").</summary>
public static class Signals
{
    public const int SigHup = 1;
    public const int SigInt = 2;
    public const int SigKill = 9;
    public const int SigTerm = 15;

    private static readonly Dictionary<string, int> ByName = new(StringComparer.Ordinal)
    {
        ["ABRT"] = 6, ["ALRM"] = 14, ["BUS"] = 7, ["CHLD"] = 17, ["CLD"] = 17, ["CONT"] = 18, ["FPE"] = 8,
        ["HUP"] = 1, ["ILL"] = 4, ["INT"] = 2, ["IO"] = 29, ["IOT"] = 6, ["KILL"] = 9, ["PIPE"] = 13,
        ["POLL"] = 29, ["PROF"] = 27, ["PWR"] = 30, ["QUIT"] = 3, ["SEGV"] = 11, ["STKFLT"] = 16,
        ["STOP"] = 19, ["SYS"] = 31, ["TERM"] = 15, ["TRAP"] = 5, ["TSTP"] = 20, ["TTIN"] = 21,
        ["TTOU"] = 22, ["URG"] = 23, ["USR1"] = 10, ["USR2"] = 12, ["VTALRM"] = 26, ["WINCH"] = 28,
        ["XCPU"] = 24, ["XFSZ"] = 25, ["RTMIN"] = 34, ["RTMAX"] = 64,
    };

    /// <summary>Parses a signal; InvalidArgument "Invalid signal: x" as Docker.</summary>
    public static int Parse(string raw)
    {
        if (int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n))
        {
            return n is >= 1 and <= 64 ? n : throw BerthException.Invalid($"Invalid signal: {raw}");
        }

        var name = raw.ToUpperInvariant();
        if (name.StartsWith("SIG", StringComparison.Ordinal))
        {
            name = name[3..];
        }

        if (ByName.TryGetValue(name, out var s))
        {
            return s;
        }

        foreach (var (prefix, baseSig, sign) in new[] { ("RTMIN+", 34, 1), ("RTMAX-", 64, -1) })
        {
            if (name.StartsWith(prefix, StringComparison.Ordinal) && int.TryParse(name.AsSpan(prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var off) && off is >= 0 and <= 30)
            {
                return baseSig + (sign * off);
            }
        }

        throw BerthException.Invalid($"Invalid signal: {raw}");
    }
}
