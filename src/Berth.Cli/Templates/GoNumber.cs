using System.Globalization;

namespace Berth.Cli.Templates;

/// <summary>A number from JSON, kept as its text so it prints exactly as the engine sent it.</summary>
public sealed record GoNumber(string Text)
{
    public bool IsInteger => long.TryParse(Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _);

    public long AsLong => long.TryParse(Text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l) ? l : (long)AsDouble;

    public double AsDouble => double.Parse(Text, NumberStyles.Float, CultureInfo.InvariantCulture);

    public override string ToString() => Text;
}
