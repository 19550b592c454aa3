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

    public static int? Int(HttpRequest request, string name)
    {
        var v = request.Query[name].ToString();
        if (v.Length == 0)
        {
            return null;
        }

        return int.TryParse(v, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw BerthException.Invalid($"invalid value for {name}: {v}: strconv.Atoi: parsing \"{v}\": invalid syntax");
    }

    public static string? String(HttpRequest request, string name)
    {
        var v = request.Query[name].ToString();
        return v.Length == 0 ? null : v;
    }
}
