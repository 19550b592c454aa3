namespace Berth.Images.Formats;

/// <summary>An OCI content descriptor.</summary>
public sealed record Descriptor(string MediaType, string Digest, long Size)
{
    public IReadOnlyDictionary<string, string> Annotations { get; init; } = new Dictionary<string, string>();

    /// <summary>"os/arch[/variant]" of an index entry, when given.</summary>
    public string? Os { get; init; }

    public string? Architecture { get; init; }

    public string? Variant { get; init; }
}
