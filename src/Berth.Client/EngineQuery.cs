using System.Text;

namespace Berth.Client;

/// <summary>Query parameters in the order added; encoded like Go's url.Values (sorted by key).</summary>
public sealed class EngineQuery
{
    private readonly List<KeyValuePair<string, string>> _items = [];

    public bool IsEmpty => _items.Count == 0;

    public EngineQuery Add(string key, string? value)
    {
        if (value is not null)
        {
            _items.Add(new(key, value));
        }

        return this;
    }

    public EngineQuery AddIf(bool condition, string key, string value) => condition ? Add(key, value) : this;

    public EngineQuery AddBool(string key, bool value) => value ? Add(key, "1") : this;

    public override string ToString()
    {
        if (_items.Count == 0)
        {
            return string.Empty;
        }

        var sb = new StringBuilder();
        foreach (var kv in _items.OrderBy(i => i.Key, StringComparer.Ordinal))
        {
            sb.Append(sb.Length == 0 ? '?' : '&');
            sb.Append(Uri.EscapeDataString(kv.Key)).Append('=').Append(Uri.EscapeDataString(kv.Value));
        }

        return sb.ToString();
    }
}
