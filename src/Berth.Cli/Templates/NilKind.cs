namespace Berth.Cli.Templates;

/// <summary>The Go type of a nil value, which decides how it prints.</summary>
public enum NilKind
{
    /// <summary>A nil pointer or interface: <c>&lt;nil&gt;</c>.</summary>
    Pointer,

    /// <summary>A nil slice: <c>[]</c>.</summary>
    Slice,

    /// <summary>A nil map: <c>map[]</c>.</summary>
    Map,
}
