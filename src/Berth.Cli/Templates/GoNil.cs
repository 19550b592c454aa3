namespace Berth.Cli.Templates;

/// <summary>A JSON null (or an omitted struct field) with the Go type it would have had.</summary>
public sealed record GoNil(NilKind Kind, string? MissingField = null)
{
    public static readonly GoNil Pointer = new(NilKind.Pointer);

    public override string ToString() => Kind switch
    {
        NilKind.Slice => "[]",
        NilKind.Map => "map[]",
        _ => "<nil>",
    };
}
