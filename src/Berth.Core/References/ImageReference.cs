using System.Text.RegularExpressions;
using Berth.Core.Errors;

namespace Berth.Core.References;

/// <summary>
/// A normalized image reference as Docker parses it (distribution/reference grammar):
/// "busybox" is docker.io/library/busybox, "localhost:5000/a/b:tag" keeps its registry,
/// "name@sha256:..." carries a digest. <see cref="Tag"/> is null when none was given (use
/// <see cref="WithDefaultTag"/> for Docker's ":latest").
/// </summary>
public sealed partial record ImageReference
{
    public const string DefaultDomain = "docker.io";
    public const int MaxNameLength = 255;
    private const string LegacyDomain = "index.docker.io";
    private const string OfficialPrefix = "library/";

    private ImageReference(string domain, string path, string? tag, Digest? digest)
    {
        Domain = domain;
        Path = path;
        Tag = tag;
        Digest = digest;
    }

    /// <summary>Registry host (and port): "docker.io", "localhost:5000".</summary>
    public string Domain { get; }

    /// <summary>Repository path inside the registry: "library/busybox".</summary>
    public string Path { get; }

    public string? Tag { get; }

    public Digest? Digest { get; }

    /// <summary>Full repository name: "docker.io/library/busybox".</summary>
    public string Name => $"{Domain}/{Path}";

    /// <summary>Docker's short repository name: "busybox", "user/app", "localhost:5000/app".</summary>
    public string FamiliarName
    {
        get
        {
            if (Domain != DefaultDomain)
            {
                return Name;
            }

            if (Path.StartsWith(OfficialPrefix, StringComparison.Ordinal) && Path.IndexOf('/', OfficialPrefix.Length) < 0)
            {
                return Path[OfficialPrefix.Length..];
            }

            return Path;
        }
    }

    /// <summary>"busybox:latest", "app@sha256:..." (familiar name with tag and/or digest).</summary>
    public string FamiliarString => FamiliarName + Suffix;

    private string Suffix => (Tag is null ? string.Empty : ":" + Tag) + (Digest is { } d ? "@" + d : string.Empty);

    /// <summary>"docker.io/library/busybox:latest".</summary>
    public override string ToString() => Name + Suffix;

    /// <summary>Adds ":latest" when neither a tag nor a digest was given.</summary>
    public ImageReference WithDefaultTag() => Tag is null && Digest is null ? new(Domain, Path, "latest", null) : this;

    public ImageReference WithTag(string tag)
    {
        if (!TagRegex().IsMatch(tag))
        {
            throw BerthException.Invalid("invalid tag format");
        }

        return new(Domain, Path, tag, null);
    }

    public ImageReference WithDigest(Digest digest) => new(Domain, Path, null, digest);

    /// <summary>The repository alone, without tag or digest.</summary>
    public ImageReference NameOnly() => new(Domain, Path, null, null);

    /// <summary>True when <paramref name="s"/> is a 64 hex identifier (an image ID without "sha256:").</summary>
    public static bool IsIdentifier(string s) => References.Digest.IsHex(s, 64);

    /// <summary>Parses a familiar or full reference; throws BerthException(InvalidArgument) with Docker's message.</summary>
    public static ImageReference Parse(string s) =>
        TryParse(s, out var r, out var error) ? r : throw BerthException.Invalid(error);

    public static bool TryParse(string s, out ImageReference reference, out string error)
    {
        reference = null!;
        if (string.IsNullOrEmpty(s))
        {
            error = "invalid reference format";
            return false;
        }

        if (References.Digest.IsHex(s, 64))
        {
            error = $"invalid repository name ({s}), cannot specify 64-byte hexadecimal strings";
            return false;
        }

        var (domain, remainder) = SplitDockerDomain(s);
        var tagSep = remainder.IndexOf(':', StringComparison.Ordinal);
        var remote = tagSep >= 0 ? remainder[..tagSep] : remainder;
        if (!string.Equals(remote.ToLowerInvariant(), remote, StringComparison.Ordinal))
        {
            error = $"invalid reference format: repository name ({remote}) must be lowercase";
            return false;
        }

        var full = domain + "/" + remainder;
        var m = ReferenceRegex().Match(full);
        if (!m.Success)
        {
            error = "invalid reference format";
            return false;
        }

        var name = m.Groups[1].Value;
        var nm = NameRegex().Match(name);
        var path = nm.Groups[2].Value;
        if (path.Length > MaxNameLength)
        {
            error = $"invalid reference format: repository name must not be more than {MaxNameLength} characters";
            return false;
        }

        Digest? digest = null;
        if (m.Groups[3].Success)
        {
            if (!References.Digest.TryParse(m.Groups[3].Value, out var d))
            {
                error = "invalid reference format";
                return false;
            }

            digest = d;
        }

        reference = new ImageReference(nm.Groups[1].Value, path, m.Groups[2].Success ? m.Groups[2].Value : null, digest);
        error = string.Empty;
        return true;
    }

    /// <summary>Docker's splitDockerDomain: decides whether the first component names a registry.</summary>
    private static (string Domain, string Remainder) SplitDockerDomain(string name)
    {
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        string domain;
        string remainder;
        if (slash < 0)
        {
            return (DefaultDomain, OfficialPrefix + name);
        }

        var first = name[..slash];
        var rest = name[(slash + 1)..];
        if (first == "localhost" || first.AsSpan().IndexOfAny('.', ':') >= 0 || !string.Equals(first.ToLowerInvariant(), first, StringComparison.Ordinal))
        {
            (domain, remainder) = (first, rest);
        }
        else if (first == LegacyDomain)
        {
            (domain, remainder) = (DefaultDomain, rest);
        }
        else
        {
            (domain, remainder) = (DefaultDomain, name);
        }

        if (domain == LegacyDomain)
        {
            domain = DefaultDomain;
        }

        if (domain == DefaultDomain && remainder.IndexOf('/', StringComparison.Ordinal) < 0)
        {
            remainder = OfficialPrefix + remainder;
        }

        return (domain, remainder);
    }

    // domain-component, optional port; path components of [a-z0-9]+ joined by separators.
    private const string DomainComponent = "(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])";
    private const string DomainAndPort = "(?:" + DomainComponent + @"(?:\." + DomainComponent + @")*|\[(?:[a-fA-F0-9:]+)\])(?::[0-9]+)?";
    private const string PathComponent = "[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*";
    private const string RemoteName = PathComponent + "(?:/" + PathComponent + ")*";
    private const string TagPattern = "[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}";
    private const string DigestPattern = "[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][0-9a-fA-F]{32,}";

    // \z, not $: in .NET $ also matches before a final newline, so "busybox\n" would be a name.
    [GeneratedRegex("^((?:" + DomainAndPort + "/)?" + RemoteName + ")(?::(" + TagPattern + "))?(?:@(" + DigestPattern + "))?\\z", RegexOptions.CultureInvariant)]
    private static partial Regex ReferenceRegex();

    [GeneratedRegex("^(?:(" + DomainAndPort + ")/)?(" + RemoteName + ")\\z", RegexOptions.CultureInvariant)]
    private static partial Regex NameRegex();

    [GeneratedRegex("^" + TagPattern + "\\z", RegexOptions.CultureInvariant)]
    private static partial Regex TagRegex();
}
