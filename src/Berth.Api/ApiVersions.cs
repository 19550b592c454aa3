namespace Berth.Api;

/// <summary>The Engine API versions Berth speaks (by <c>/v1.NN/</c> prefix or unversioned).</summary>
public static class ApiVersions
{
    public const string Current = "1.50";
    public const string Minimum = "1.24";

    /// <summary>Compares "1.NN" strings numerically; returns &lt;0, 0, &gt;0.</summary>
    public static int Compare(string a, string b)
    {
        var (am, an) = Split(a);
        var (bm, bn) = Split(b);
        return am != bm ? am.CompareTo(bm) : an.CompareTo(bn);
    }

    public static bool TryParse(string text, out string version)
    {
        version = text;
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        return dot > 0
            && int.TryParse(text.AsSpan(0, dot), out _)
            && int.TryParse(text.AsSpan(dot + 1), out _);
    }

    private static (int Major, int Minor) Split(string v)
    {
        var dot = v.IndexOf('.', StringComparison.Ordinal);
        return dot < 0
            ? (int.Parse(v, global::System.Globalization.CultureInfo.InvariantCulture), 0)
            : (int.Parse(v.AsSpan(0, dot), global::System.Globalization.CultureInfo.InvariantCulture),
               int.Parse(v.AsSpan(dot + 1), global::System.Globalization.CultureInfo.InvariantCulture));
    }
}
