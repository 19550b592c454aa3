namespace Berth.Cli.Parsing;

/// <summary>How a flag's value is read (pflag's value types that docker uses).</summary>
public enum FlagKind
{
    Bool,
    String,

    /// <summary>Repeatable; every occurrence is kept in order.</summary>
    List,
    Int,
    Int64,
    UInt,
    Duration,
    Decimal,

    /// <summary>Memory sizes like <c>64m</c>; docker's MemBytes (and "-1" where allowed).</summary>
    Bytes,
}
