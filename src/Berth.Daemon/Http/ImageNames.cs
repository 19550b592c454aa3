using Berth.Core.References;

namespace Berth.Daemon.Http;

/// <summary>
/// Image names as routes receive them (a path segment, a query value, create's <c>Image</c>),
/// checked before any look-up as dockerd checks them: an ID, an ID prefix or a "sha256:" name is
/// looked up as given; anything else must be a valid reference, or the answer is a 400 "invalid
/// reference format". A 404 "No such image" for a name that can never exist would make clients
/// try a pull.
/// </summary>
public static class ImageNames
{
    /// <summary>Returns <paramref name="name"/> when it may name an image; null and "" pass (the route decides what absence means).</summary>
    public static string? Checked(string? name)
    {
        if (string.IsNullOrEmpty(name) || name.StartsWith("sha256:", StringComparison.Ordinal) || ImageReference.IsIdentifier(name))
        {
            return name;
        }

        _ = ImageReference.Parse(name);
        return name;
    }

    /// <summary>
    /// fromImage with its <c>tag</c> query, as dockerd joins them: a tag that parses as a digest
    /// pins the digest, anything else must be a valid tag ("invalid tag format").
    /// </summary>
    public static ImageReference WithTag(string fromImage, string? tag)
    {
        var reference = ImageReference.Parse(fromImage);
        if (string.IsNullOrEmpty(tag))
        {
            return reference;
        }

        return Digest.TryParse(tag, out var digest) ? reference.WithDigest(digest) : reference.WithTag(tag);
    }
}
