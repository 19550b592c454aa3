namespace Berth.Cli.Templates;

/// <summary>Go's invalid reflect.Value (a missing map entry, a nil interface): prints "&lt;no value&gt;".</summary>
public sealed class NoValue
{
    public static readonly NoValue Instance = new();

    private NoValue()
    {
    }

    public override string ToString() => "<no value>";
}
