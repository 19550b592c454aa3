namespace Berth.Cli.Parsing;

/// <summary>The flags given on a command line (raw strings, in order) and the positional arguments.</summary>
public sealed class ParsedFlags
{
    private readonly Dictionary<string, List<string>> _values = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FlagSpec> _specs;

    public ParsedFlags(IEnumerable<FlagSpec> specs)
    {
        _specs = specs.ToDictionary(f => f.Name, StringComparer.Ordinal);
    }

    public List<string> Args { get; } = [];

    /// <summary>Flag names in the order they were first given.</summary>
    public List<string> Order { get; } = [];

    public void Set(string name, string value)
    {
        if (!_values.TryGetValue(name, out var list))
        {
            list = [];
            _values[name] = list;
            Order.Add(name);
        }

        list.Add(value);
    }

    public bool IsSet(string name) => _values.ContainsKey(name);

    public bool Bool(string name, bool defaultValue = false) =>
        _values.TryGetValue(name, out var v) ? GoParse.ParseBool(v[^1]) : defaultValue;

    public string? String(string name) => _values.TryGetValue(name, out var v) ? v[^1] : null;

    public string String(string name, string defaultValue) => String(name) ?? defaultValue;

    public IReadOnlyList<string> List(string name) => _values.TryGetValue(name, out var v) ? v : [];

    public long Int(string name, long defaultValue = 0) =>
        _values.TryGetValue(name, out var v) ? GoParse.ParseInt(v[^1]) : defaultValue;

    public long? IntOrNull(string name) => _values.TryGetValue(name, out var v) ? GoParse.ParseInt(v[^1]) : null;

    /// <summary>A duration flag in nanoseconds.</summary>
    public long DurationNanos(string name) =>
        _values.TryGetValue(name, out var v) ? GoParse.ParseDuration(v[^1]) : 0;

    public long Bytes(string name) => _values.TryGetValue(name, out var v) ? GoParse.RamInBytes(v[^1]) : 0;

    public FlagSpec Spec(string name) => _specs[name];

    public IEnumerable<string> SetNames => _values.Keys;
}
