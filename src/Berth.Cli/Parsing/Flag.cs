namespace Berth.Cli.Parsing;

/// <summary>Short constructors for flag declarations: names are "long" or "s|long".</summary>
public static class Flag
{
    public static FlagSpec Bool(string names, string usage, string? defaultText = null, bool hidden = false) =>
        Make(names, FlagKind.Bool, usage, null, defaultText, hidden);

    public static FlagSpec String(string names, string usage, string? defaultValue = null, string? type = null, bool hidden = false) =>
        Make(names, FlagKind.String, usage, type, defaultValue is null ? null : type is null ? Parsing.GoParse.Quote(defaultValue) : defaultValue, hidden);

    public static FlagSpec List(string names, string usage, string type = "list", string? defaultText = null, bool hidden = false) =>
        Make(names, FlagKind.List, usage, type, defaultText, hidden);

    public static FlagSpec Int(string names, string usage, string? defaultText = null, string? type = null, bool hidden = false) =>
        Make(names, FlagKind.Int, usage, type, defaultText, hidden);

    public static FlagSpec UInt(string names, string usage, string? defaultText = null, string type = "uint") =>
        Make(names, FlagKind.UInt, usage, type, defaultText, false);

    public static FlagSpec Duration(string names, string usage, string? defaultText = "0s") =>
        Make(names, FlagKind.Duration, usage, null, defaultText, false);

    public static FlagSpec Bytes(string names, string usage, string? defaultText = null) =>
        Make(names, FlagKind.Bytes, usage, null, defaultText, false);

    public static FlagSpec Decimal(string names, string usage) =>
        Make(names, FlagKind.Decimal, usage, null, null, false);

    /// <summary>A hidden alias: <c>Flag.Alias("net", Flag.List("network", ...))</c> accepts --net as --network.</summary>
    public static FlagSpec Alias(string name, FlagSpec of) => of with { Name = name, Short = '\0', Hidden = true, AliasOf = of.Name };

    /// <summary>A flag docker has and berth does not implement yet: using it fails with its name.</summary>
    public static FlagSpec NotImplemented(FlagSpec flag) => flag with { NotImplemented = true };

    private static FlagSpec Make(string names, FlagKind kind, string usage, string? type, string? defaultText, bool hidden)
    {
        var bar = names.IndexOf('|', StringComparison.Ordinal);
        return new FlagSpec
        {
            Name = bar >= 0 ? names[(bar + 1)..] : names,
            Short = bar >= 0 ? names[0] : '\0',
            Kind = kind,
            Usage = usage,
            TypeName = type,
            DefaultText = defaultText,
            Hidden = hidden,
        };
    }
}
