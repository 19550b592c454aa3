namespace Berth.Cli.Parsing;

/// <summary>One flag of a command, as pflag declares it.</summary>
public sealed record FlagSpec
{
    public required string Name { get; init; }

    public char Short { get; init; }

    public required FlagKind Kind { get; init; }

    public required string Usage { get; init; }

    /// <summary>The type word in help ("string", "list", "int", "duration", "bytes", "filter"...).</summary>
    public string? TypeName { get; init; }

    /// <summary>The default shown in help, already formatted (<c>"info"</c> with quotes, <c>-1</c>, <c>0s</c>).</summary>
    public string? DefaultText { get; init; }

    public bool Hidden { get; init; }

    /// <summary>A hidden older name of another flag (docker's --net for --network): values are stored under that flag's name.</summary>
    public string? AliasOf { get; init; }

    /// <summary>Accepted by docker but not by berth yet: using it is an error naming it.</summary>
    public bool NotImplemented { get; init; }

    public string HelpType => TypeName ?? Kind switch
    {
        FlagKind.Bool => string.Empty,
        FlagKind.String => "string",
        FlagKind.List => "list",
        FlagKind.Int => "int",
        FlagKind.Int64 => "int",
        FlagKind.UInt => "uint",
        FlagKind.Duration => "duration",
        FlagKind.Decimal => "decimal",
        FlagKind.Bytes => "bytes",
        _ => string.Empty,
    };

    /// <summary>pflag's name for error messages: <c>-n, --last</c> or <c>--rm</c>.</summary>
    public string DisplayName => Short != '\0' ? $"-{Short}, --{Name}" : $"--{Name}";
}
