using Berth.Cli.Templates;

namespace Berth.Cli.Formatting;

/// <summary>
/// A formatting context for one row (a container in ps, an image in images...): named fields
/// computed on demand, some taking arguments (<c>.Label "k"</c>).
/// </summary>
public sealed class RowContext : IFieldProvider
{
    private readonly Dictionary<string, Func<IReadOnlyList<object?>, object?>> _fields = new(StringComparer.Ordinal);
    private readonly List<string> _jsonFields = [];

    public RowContext(string typeName)
    {
        TypeName = typeName;
    }

    public string TypeName { get; }

    public IReadOnlyList<string> JsonFields => _jsonFields;

    /// <summary>A field without arguments; shown by <c>{{json .}}</c> unless <paramref name="inJson"/> is false.</summary>
    public RowContext Add(string name, Func<object?> value, bool inJson = true)
    {
        _fields[name] = args =>
        {
            if (args.Count > 0)
            {
                throw new TemplateException($"wrong number of args for {name}: want 0 got {args.Count}");
            }

            return value();
        };
        if (inJson)
        {
            _jsonFields.Add(name);
        }

        return this;
    }

    /// <summary>A method taking arguments (never in JSON output).</summary>
    public RowContext AddMethod(string name, Func<IReadOnlyList<object?>, object?> method)
    {
        _fields[name] = method;
        return this;
    }

    /// <summary>
    /// docker's label fields of a row: <c>.Labels</c> ("k=v" joined by commas, by key) and the
    /// method <c>.Label "k"</c> ("" when absent).
    /// </summary>
    public RowContext AddLabels(System.Text.Json.Nodes.JsonObject? labels)
    {
        Add("Labels", () => labels is null ? string.Empty : string.Join(",", labels.OrderBy(kv => kv.Key, StringComparer.Ordinal).Select(kv => kv.Key + "=" + (kv.Value?.ToString() ?? string.Empty))));
        return AddMethod("Label", args => args.Count == 1
            ? labels?[GoValues.AsString(args[0])]?.ToString() ?? string.Empty
            : throw new TemplateException($"wrong number of args for Label: want 1 got {args.Count}"));
    }

    public bool TryGetField(string name, IReadOnlyList<object?> args, out object? value)
    {
        if (_fields.TryGetValue(name, out var f))
        {
            value = f(args);
            return true;
        }

        value = null;
        return false;
    }
}
