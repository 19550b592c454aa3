namespace Berth.Cli.Templates;

/// <summary>A Go struct (a JSON object of named fields): prints <c>{v1 v2 ...}</c> in field order.</summary>
public sealed class GoStruct
{
    public GoStruct(List<KeyValuePair<string, object?>> fields)
    {
        Fields = fields;
        Index = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var f in fields)
        {
            Index[f.Key] = f.Value;
        }
    }

    public List<KeyValuePair<string, object?>> Fields { get; }

    public Dictionary<string, object?> Index { get; }

    /// <summary>Fields the engine omitted that the Go type has: printed with %v, left out of JSON.</summary>
    public HashSet<string> Synthetic { get; } = new(StringComparer.Ordinal);

    /// <summary>The Go type name used in "can't evaluate field" errors.</summary>
    public string TypeName { get; set; } = "struct";
}
