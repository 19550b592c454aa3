using System.Text.Json;
using Berth.Core.Errors;

namespace Berth.Images.Formats;

/// <summary>Reads manifests, indexes and docker-archive manifest.json files.</summary>
public static class ManifestParser
{
    /// <summary>The mediaType a JSON document declares, or what its shape says (manifests vs. indexes).</summary>
    public static string SniffMediaType(ReadOnlySpan<byte> json)
    {
        using var doc = ParseDoc(json.ToArray(), "manifest");
        var root = doc.RootElement;
        if (Json.String(root, "mediaType") is { Length: > 0 } mt)
        {
            return mt;
        }

        return Json.Get(root, "manifests") is { ValueKind: JsonValueKind.Array } ? MediaTypes.OciIndex : MediaTypes.OciManifest;
    }

    public static Manifest ParseManifest(ReadOnlyMemory<byte> json)
    {
        using var doc = ParseDoc(json, "manifest");
        var root = doc.RootElement;
        if (Json.Long(root, "schemaVersion") != 2)
        {
            throw BerthException.Invalid("unsupported manifest: schemaVersion must be 2");
        }

        var config = Json.Get(root, "config") is { ValueKind: JsonValueKind.Object } c ? ReadDescriptor(c) : throw BerthException.Invalid("invalid manifest: no config");
        var layers = Json.Get(root, "layers") is { ValueKind: JsonValueKind.Array } l ? l.EnumerateArray().Select(ReadDescriptor).ToList() : [];
        return new Manifest(Json.String(root, "mediaType") ?? MediaTypes.OciManifest, config, layers);
    }

    public static IReadOnlyList<Descriptor> ParseIndex(ReadOnlyMemory<byte> json)
    {
        using var doc = ParseDoc(json, "index");
        var root = doc.RootElement;
        return Json.Get(root, "manifests") is { ValueKind: JsonValueKind.Array } m ? m.EnumerateArray().Select(ReadDescriptor).ToList() : [];
    }

    public static IReadOnlyList<ArchiveManifestEntry> ParseArchiveManifest(ReadOnlyMemory<byte> json)
    {
        using var doc = ParseDoc(json, "manifest.json");
        if (doc.RootElement.ValueKind != JsonValueKind.Array)
        {
            throw BerthException.Invalid("invalid archive: manifest.json is not a list");
        }

        var list = new List<ArchiveManifestEntry>();
        foreach (var e in doc.RootElement.EnumerateArray())
        {
            var config = Json.String(e, "Config") ?? throw BerthException.Invalid("invalid archive: manifest.json entry without Config");
            list.Add(new ArchiveManifestEntry(config, Json.StringList(e, "RepoTags") ?? [], Json.StringList(e, "Layers") ?? []));
        }

        return list;
    }

    private static Descriptor ReadDescriptor(JsonElement e)
    {
        var digest = Json.String(e, "digest") ?? throw BerthException.Invalid("invalid descriptor: no digest");
        if (!Core.References.Digest.TryParse(digest, out _))
        {
            throw BerthException.Invalid($"invalid descriptor digest {digest}");
        }

        var platform = Json.Get(e, "platform");
        return new Descriptor(Json.String(e, "mediaType") ?? string.Empty, digest, Json.Long(e, "size"))
        {
            Annotations = Json.StringMap(e, "annotations"),
            Os = platform is { ValueKind: JsonValueKind.Object } p ? Json.String(p, "os") : null,
            Architecture = platform is { ValueKind: JsonValueKind.Object } p2 ? Json.String(p2, "architecture") : null,
            Variant = platform is { ValueKind: JsonValueKind.Object } p3 ? Json.String(p3, "variant") : null,
        };
    }

    private static JsonDocument ParseDoc(ReadOnlyMemory<byte> json, string what)
    {
        try
        {
            return JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw BerthException.Invalid($"invalid {what}: {e.Message}");
        }
    }
}
