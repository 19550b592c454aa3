namespace Berth.Cli.Templates;

/// <summary>
/// A formatting context whose fields are computed (docker's ContainerContext, ImageContext...):
/// <c>{{.Names}}</c>, or methods with arguments such as <c>{{.Label "k"}}</c>.
/// </summary>
public interface IFieldProvider
{
    /// <summary>The Go type name used in error messages.</summary>
    string TypeName { get; }

    /// <summary>The fields <c>{{json .}}</c> shows (docker marshals every method).</summary>
    IReadOnlyList<string> JsonFields { get; }

    bool TryGetField(string name, IReadOnlyList<object?> args, out object? value);
}
