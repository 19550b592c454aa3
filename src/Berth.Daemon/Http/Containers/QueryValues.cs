using System.Globalization;
using Berth.Core.Errors;

namespace Berth.Daemon.Http.Containers;

/// <summary>Docker's query parameter parsing (httputils.BoolValue and friends).</summary>
public static class QueryValues
{
    /// <summary>"", "0", "no", "false", "none" are false; anything else is true.</summary>
    public static bool Bool(HttpRequest request, string name)
    {
        var v = request.Query[name].ToString().Trim().ToLowerInvariant();
        return v is not ("" or "0" or "no" or "false" or "none");
    }

    /// <summary>Like <see cref="Bool"/> but with a default when the parameter is absent.</summary>
    public static bool Bool(HttpRequest request, string name, bool defaultValue) =>
        request.Query.ContainsKey(name) ? Bool(request, name) : defaultValue;

    /// <summary>
    /// An integer as dockerd's strconv.Atoi reads it (64-bit): a value beyond an int is clamped
    /// (a timeout or a limit that large means "no limit"), one that is no number or beyond 64 bits
    /// is a 400 with Go's words.
    /// </summary>
    public static int? Int(HttpRequest request, string name)
    {
        var v = request.Query[name].ToString();
        if (v.Length == 0)
        {
            return null;
        }

        if (long.TryParse(v, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n))
        {
            return (int)Math.Clamp(n, int.MinValue, int.MaxValue);
        }

        var why = v.Length > 1 && v.TrimStart('-', '+').All(char.IsAsciiDigit) ? "value out of range" : "invalid syntax";
        throw BerthException.Invalid($"invalid value for {name}: {v}: strconv.Atoi: parsing \"{v}\": {why}");
    }

    /// <summary>
    /// A boolean as dockerd reads it with strconv.ParseBool (network inspect's verbose): absent is
    /// null; 1, t, T, TRUE, true, True, 0, f, F, FALSE, false, False; anything else is a 400.
    /// </summary>
    public static bool? StrictBool(HttpRequest request, string name)
    {
        var v = request.Query[name].ToString();
        return v switch
        {
            "" => null,
            "1" or "t" or "T" or "TRUE" or "true" or "True" => true,
            "0" or "f" or "F" or "FALSE" or "false" or "False" => false,
            _ => throw BerthException.Invalid($"invalid value for {name}: {v}: strconv.ParseBool: parsing \"{v}\": invalid syntax"),
        };
    }

    public static string? String(HttpRequest request, string name)
    {
        var v = request.Query[name].ToString();
        return v.Length == 0 ? null : v;
    }
}
