namespace Berth.Cli.Templates;

/// <summary>A Go map: prints <c>map[k:v ...]</c> sorted by key, ranges in key order.</summary>
public sealed class GoMap
{
    public GoMap(SortedDictionary<string, object?> entries, bool stringValued)
    {
        Entries = entries;
        StringValued = stringValued;
    }

    public SortedDictionary<string, object?> Entries { get; }

    /// <summary>A map[string]string: a missing key reads as "" rather than &lt;no value&gt;.</summary>
    public bool StringValued { get; }

    /// <summary>Template option missingkey=error: a missing key fails instead of printing &lt;no value&gt;.</summary>
    public bool MissingKeyError { get; init; }
}
