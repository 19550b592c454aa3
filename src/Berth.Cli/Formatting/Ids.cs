namespace Berth.Cli.Formatting;

/// <summary>docker's stringid and reference helpers for display.</summary>
public static class Ids
{
    /// <summary>stringid.TruncateID: drop an "algo:" prefix, keep 12 characters.</summary>
    public static string Truncate(string id)
    {
        var colon = id.IndexOf(':', StringComparison.Ordinal);
        if (colon >= 0)
        {
            id = id[(colon + 1)..];
        }

        return id.Length > 12 ? id[..12] : id;
    }

    /// <summary>Ellipsis: cut to <paramref name="max"/> characters, the last one "…".</summary>
    public static string Ellipsis(string s, int max)
    {
        if (max <= 0)
        {
            return string.Empty;
        }

        var runes = s.EnumerateRunes().ToList();
        if (runes.Count <= max)
        {
            return s;
        }

        if (max == 1)
        {
            return runes[0].ToString();
        }

        return string.Concat(runes.Take(max - 1).Select(r => r.ToString())) + "…";
    }
}
