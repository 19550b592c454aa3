using System.Text.RegularExpressions;

namespace Berth.Cli.Formatting;

/// <summary>A docker image reference split and normalized (docker.io/library/NAME:TAG).</summary>
public sealed partial record ImageReference(string Domain, string Path, string? Tag, string? Digest)
{
    public string Name => Domain + "/" + Path;

    /// <summary>reference.FamiliarName: without docker.io/ and library/.</summary>
    public string FamiliarName => Domain == "docker.io"
        ? (Path.StartsWith("library/", StringComparison.Ordinal) && Path.Count(c => c == '/') == 1 ? Path["library/".Length..] : Path)
        : Name;

    public string FamiliarString => FamiliarName + (Tag is null ? string.Empty : ":" + Tag) + (Digest is null ? string.Empty : "@" + Digest);

    public override string ToString() => Name + (Tag is null ? string.Empty : ":" + Tag) + (Digest is null ? string.Empty : "@" + Digest);

    /// <summary>reference.ParseNormalizedNamed; null with an error message when invalid.</summary>
    public static ImageReference? TryParse(string s, out string? error)
    {
        error = null;
        if (s.Length == 0)
        {
            error = "invalid reference format";
            return null;
        }

        string? digest = null;
        var at = s.IndexOf('@', StringComparison.Ordinal);
        var rest = s;
        if (at >= 0)
        {
            digest = s[(at + 1)..];
            rest = s[..at];
            if (!DigestRegex().IsMatch(digest))
            {
                error = "invalid reference format";
                return null;
            }
        }

        string? tag = null;
        var lastColon = rest.LastIndexOf(':');
        if (lastColon >= 0 && !rest[(lastColon + 1)..].Contains('/', StringComparison.Ordinal))
        {
            tag = rest[(lastColon + 1)..];
            rest = rest[..lastColon];
            if (!TagRegex().IsMatch(tag))
            {
                error = "invalid reference format";
                return null;
            }
        }

        string domain;
        string path;
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        var first = slash < 0 ? string.Empty : rest[..slash];
        if (slash >= 0 && (first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal) || first == "localhost" || first.Any(char.IsUpper)))
        {
            domain = first;
            path = rest[(slash + 1)..];
        }
        else
        {
            domain = "docker.io";
            path = rest;
        }

        if (domain == "index.docker.io")
        {
            domain = "docker.io";
        }

        if (path.Any(char.IsUpper))
        {
            var shown = domain == "docker.io" && !path.Contains('/', StringComparison.Ordinal) ? "library/" + path : path;
            error = "invalid reference format: repository name (" + shown + ") must be lowercase";
            return null;
        }

        if (!PathRegex().IsMatch(path))
        {
            error = "invalid reference format";
            return null;
        }

        if (domain == "docker.io" && !path.Contains('/', StringComparison.Ordinal))
        {
            path = "library/" + path;
        }

        return new ImageReference(domain, path, tag, digest);
    }

    [GeneratedRegex("^[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*)*$")]
    private static partial Regex PathRegex();

    [GeneratedRegex("^[\\w][\\w.-]{0,127}$")]
    private static partial Regex TagRegex();

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$")]
    private static partial Regex DigestRegex();
}
