using System.Globalization;
using System.Text.Json;

namespace Berth.Images.Formats;

/// <summary>Lenient readers over JsonElement matching Go's case-insensitive field matching.</summary>
internal static class Json
{
    public static JsonElement? Get(JsonElement obj, string name)
    {
        if (obj.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (obj.TryGetProperty(name, out var exact))
        {
            return exact;
        }

        foreach (var p in obj.EnumerateObject())
        {
            if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return p.Value;
            }
        }

        return null;
    }

    public static string? String(JsonElement obj, string name) =>
        Get(obj, name) is { ValueKind: JsonValueKind.String } v ? v.GetString() : null;

    public static bool Bool(JsonElement obj, string name) =>
        Get(obj, name) is { ValueKind: JsonValueKind.True };

    public static long Long(JsonElement obj, string name) =>
        Get(obj, name) is { ValueKind: JsonValueKind.Number } v && v.TryGetInt64(out var n) ? n : 0;

    public static List<string>? StringList(JsonElement obj, string name)
    {
        if (Get(obj, name) is not { ValueKind: JsonValueKind.Array } arr)
        {
            return null;
        }

        return arr.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText()).ToList();
    }

    /// <summary>Keys of a JSON object used as a set ({"80/tcp":{}}), in document order.</summary>
    public static List<string> Keys(JsonElement obj, string name) =>
        Get(obj, name) is { ValueKind: JsonValueKind.Object } o ? o.EnumerateObject().Select(p => p.Name).ToList() : [];

    public static Dictionary<string, string> StringMap(JsonElement obj, string name)
    {
        var d = new Dictionary<string, string>(StringComparer.Ordinal);
        if (Get(obj, name) is { ValueKind: JsonValueKind.Object } o)
        {
            foreach (var p in o.EnumerateObject())
            {
                d[p.Name] = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : p.Value.GetRawText();
            }
        }

        return d;
    }

    /// <summary>RFC 3339 with up to nanosecond precision (Go's RFC3339Nano); null when absent or invalid.</summary>
    public static DateTimeOffset? Time(JsonElement obj, string name) => ParseTime(String(obj, name));

    public static DateTimeOffset? ParseTime(string? s)
    {
        if (string.IsNullOrEmpty(s))
        {
            return null;
        }

        // .NET parses at most 7 fractional digits; Go writes up to 9.
        var dot = s.IndexOf('.', StringComparison.Ordinal);
        if (dot > 0)
        {
            var end = dot + 1;
            while (end < s.Length && char.IsAsciiDigit(s[end]))
            {
                end++;
            }

            if (end - dot - 1 > 7)
            {
                s = string.Concat(s.AsSpan(0, dot + 8), s.AsSpan(end));
            }
        }

        return DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) ? t : null;
    }
}
