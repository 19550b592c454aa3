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
}
