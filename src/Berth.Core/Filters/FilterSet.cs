using System.Text.Json;
using Berth.Core.Errors;

namespace Berth.Core.Filters;

/// <summary>
/// The <c>filters</c> query parameter of list and prune endpoints: a JSON map from filter name to
/// values, either <c>{"status":["running"]}</c> or the legacy <c>{"status":{"running":true}}</c>.
/// Each endpoint declares the names it accepts; an unknown one is refused as Docker does.
/// </summary>
public sealed class FilterSet
{
    private readonly Dictionary<string, List<string>> _values;

    private FilterSet(Dictionary<string, List<string>> values)
    {
        _values = values;
    }

    public static FilterSet Empty { get; } = new(new Dictionary<string, List<string>>(StringComparer.Ordinal));

    public IEnumerable<string> Names => _values.Keys;

    public bool IsEmpty => _values.Count == 0;

    public static FilterSet Parse(string? json)
    {
        if (string.IsNullOrWhiteSpace(json))
        {
            return Empty;
        }

        var values = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        try
        {
            using var doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw BerthException.Invalid("invalid filter: filters must be a JSON object");
            }

            foreach (var p in doc.RootElement.EnumerateObject())
            {
                var list = new List<string>();
                switch (p.Value.ValueKind)
                {
                    // Docker's two shapes only: {"name":{"value":true}} and the legacy {"name":["value"]}.
                    // Anything else (a bare string, numbers, non-boolean map values) is refused.
                    case JsonValueKind.Array when p.Value.EnumerateArray().All(v => v.ValueKind == JsonValueKind.String):
                        list.AddRange(p.Value.EnumerateArray().Select(v => v.GetString()!));
                        break;
                    case JsonValueKind.Object when p.Value.EnumerateObject().All(v => v.Value.ValueKind is JsonValueKind.True or JsonValueKind.False):
                        list.AddRange(p.Value.EnumerateObject().Where(v => v.Value.ValueKind != JsonValueKind.False).Select(v => v.Name));
                        break;
                    default:
                        throw BerthException.Invalid($"invalid filter '{p.Name}'");
                }

                values[p.Name] = list;
            }
        }
        catch (JsonException e)
        {
            throw BerthException.Invalid($"invalid filter: {e.Message}");
        }

        return new FilterSet(values);
    }

    /// <summary>Refuses names not in <paramref name="accepted"/> with Docker's message.</summary>
    public FilterSet Accept(params string[] accepted)
    {
        foreach (var name in _values.Keys)
        {
            if (Array.IndexOf(accepted, name) < 0)
            {
                throw BerthException.Invalid($"invalid filter '{name}'");
            }
        }

        return this;
    }

    public bool Has(string name) => _values.ContainsKey(name);

    public IReadOnlyList<string> Get(string name) => _values.TryGetValue(name, out var v) ? v : [];

    /// <summary>True when the filter is absent or any of its values satisfies <paramref name="predicate"/>.</summary>
    public bool AnyOrAbsent(string name, Func<string, bool> predicate) =>
        !_values.TryGetValue(name, out var v) || v.Any(predicate);

    /// <summary>
    /// Docker's label filter: every given "key" or "key=value" must match (AND across values).
    /// </summary>
    public bool MatchesLabels(string name, IReadOnlyDictionary<string, string> labels)
    {
        if (!_values.TryGetValue(name, out var wanted))
        {
            return true;
        }

        foreach (var w in wanted)
        {
            var eq = w.IndexOf('=', StringComparison.Ordinal);
            if (eq < 0)
            {
                if (!labels.ContainsKey(w))
                {
                    return false;
                }
            }
            else if (!labels.TryGetValue(w[..eq], out var actual) || actual != w[(eq + 1)..])
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>Reads a boolean filter ("dangling=true"); Docker refuses anything but true/false/1/0.</summary>
    public bool? GetBool(string name)
    {
        if (!_values.TryGetValue(name, out var v) || v.Count == 0)
        {
            return null;
        }

        return v[0].ToLowerInvariant() switch
        {
            "true" or "1" => true,
            "false" or "0" => false,
            _ => throw BerthException.Invalid($"invalid filter '{name}={v[0]}'"),
        };
    }
}
