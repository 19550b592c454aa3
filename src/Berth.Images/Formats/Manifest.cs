namespace Berth.Images.Formats;

/// <summary>An image manifest (OCI or Docker v2 schema 2): one config and its layers, base first.</summary>
public sealed record Manifest(string MediaType, Descriptor Config, IReadOnlyList<Descriptor> Layers);
