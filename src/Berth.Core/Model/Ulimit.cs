using System.Globalization;

namespace Berth.Core.Model;

/// <summary>
/// A resource limit for a container's processes (docker's --ulimit, HostConfig.Ulimits,
/// daemon.json default-ulimits): a name from Docker's list, soft and hard values, -1 meaning
/// unlimited. Becomes an OCI process.rlimits entry (RLIMIT_&lt;NAME&gt;).
/// </summary>
public sealed record Ulimit(string Name, long Soft, long Hard)
{
    /// <summary>The names Docker (go-units) accepts; "as" is left out as Docker leaves it out.</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["core", "cpu", "data", "fsize", "locks", "memlock", "msgqueue", "nice", "nofile", "nproc", "rss", "rtprio", "rttime", "sigpending", "stack"];

    /// <summary>The OCI rlimit type: "RLIMIT_NOFILE".</summary>
    public string RlimitType => "RLIMIT_" + Name.ToUpperInvariant();

    /// <summary>"name=soft[:hard]" as the docker CLI reads it; null and Docker's message when it is not valid.</summary>
    public static Ulimit? TryParse(string value, out string? error)
    {
        ArgumentNullException.ThrowIfNull(value);
        var eq = value.IndexOf('=', StringComparison.Ordinal);
        if (eq < 0)
        {
            error = $"invalid ulimit argument: {value}";
            return null;
        }

        var name = value[..eq];
        var limits = value[(eq + 1)..];
        if (!Names.Contains(name))
        {
            error = $"invalid ulimit type: {name}";
            return null;
        }

        var parts = limits.Split(':');
        if (parts.Length > 2)
        {
            error = $"too many limit value arguments - {limits}, can only have up to two, `soft[:hard]`";
            return null;
        }

        // As go-units: the hard value is read first, so its error wins when both are bad.
        long hard = 0;
        if (parts.Length == 2 && !TryParseInt(parts[1], out hard, out error))
        {
            return null;
        }

        if (!TryParseInt(parts[0], out var soft, out error))
        {
            return null;
        }

        var result = new Ulimit(name, soft, parts.Length == 2 ? hard : soft);
        error = result.Validate();
        return error is null ? result : null;
    }

    /// <summary>Docker's checks of a limit that came as JSON: a known name, and soft within hard (-1 = unlimited). Null when valid.</summary>
    public string? Validate()
    {
        if (!Names.Contains(Name))
        {
            return $"invalid ulimit type: {Name}";
        }

        if (Hard != -1)
        {
            if (Soft == -1)
            {
                return $"ulimit soft limit must be less than or equal to hard limit: soft: -1 (unlimited), hard: {Hard}";
            }

            if (Soft > Hard)
            {
                return $"ulimit soft limit must be less than or equal to hard limit: {Soft} > {Hard}";
            }
        }

        return null;
    }

    /// <summary>Go's strconv.ParseInt(s, 10, 64), with its error text.</summary>
    private static bool TryParseInt(string s, out long value, out string? error)
    {
        var digits = s.StartsWith('-') || s.StartsWith('+') ? s[1..] : s;
        if (digits.Length > 0 && digits.All(char.IsAsciiDigit))
        {
            if (long.TryParse(s, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out value))
            {
                error = null;
                return true;
            }

            error = $"strconv.ParseInt: parsing \"{s}\": value out of range";
            return false;
        }

        value = 0;
        error = $"strconv.ParseInt: parsing \"{s}\": invalid syntax";
        return false;
    }
}
