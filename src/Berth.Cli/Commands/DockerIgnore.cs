using System.Text;
using System.Text.RegularExpressions;

namespace Berth.Cli.Commands;

/// <summary>
/// .dockerignore patterns with moby/patternmatcher's rules: <c>*</c>, <c>?</c>, <c>**</c>,
/// <c>!</c> exceptions (the last matching pattern wins), and a pattern matching a directory
/// excludes everything below it.
/// </summary>
public sealed class DockerIgnore
{
    private readonly List<(Regex Regex, bool Exclusion, string Pattern)> _patterns = [];

    public DockerIgnore(IEnumerable<string> lines)
    {
        foreach (var raw in lines)
        {
            var line = raw.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }

            var exclusion = line.StartsWith('!');
            if (exclusion)
            {
                line = line[1..].Trim();
            }

            line = Clean(line);
            if (line.Length == 0)
            {
                continue;
            }

            _patterns.Add((new Regex(ToRegex(line), RegexOptions.CultureInvariant), exclusion, line));
        }
    }

    public bool HasExclusions => _patterns.Any(p => p.Exclusion);

    public static DockerIgnore Load(string contextDir)
    {
        var path = Path.Combine(contextDir, ".dockerignore");
        return new DockerIgnore(File.Exists(path) ? File.ReadAllLines(path) : []);
    }

    /// <summary>True when the path (relative, '/'-separated) is excluded from the context.</summary>
    public bool IsExcluded(string relativePath)
    {
        var excluded = false;
        var parents = ParentPaths(relativePath).ToList();
        foreach (var (regex, exclusion, _) in _patterns)
        {
            if (excluded == !exclusion)
            {
                // This pattern cannot change the outcome.
                continue;
            }

            var match = regex.IsMatch(relativePath) || parents.Any(regex.IsMatch);
            if (match)
            {
                excluded = !exclusion;
            }
        }

        return excluded;
    }

    /// <summary>Whether a directory may be skipped whole: excluded and no exception pattern could reach inside it.</summary>
    public bool CanSkipDirectory(string relativeDir)
    {
        if (!IsExcluded(relativeDir))
        {
            return false;
        }

        foreach (var (_, exclusion, pattern) in _patterns)
        {
            if (exclusion && (pattern.StartsWith(relativeDir + "/", StringComparison.Ordinal) || pattern.Contains('*', StringComparison.Ordinal) || pattern.Contains('?', StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }

    private static IEnumerable<string> ParentPaths(string path)
    {
        var idx = path.IndexOf('/', StringComparison.Ordinal);
        while (idx > 0)
        {
            yield return path[..idx];
            idx = path.IndexOf('/', idx + 1);
        }
    }

    private static string Clean(string p)
    {
        var parts = new List<string>();
        foreach (var part in p.Split('/'))
        {
            if (part.Length == 0 || part == ".")
            {
                continue;
            }

            if (part == ".." && parts.Count > 0 && parts[^1] != "..")
            {
                parts.RemoveAt(parts.Count - 1);
                continue;
            }

            parts.Add(part);
        }

        return string.Join('/', parts);
    }

    private static string ToRegex(string pattern)
    {
        var sb = new StringBuilder("^");
        for (var i = 0; i < pattern.Length; i++)
        {
            var ch = pattern[i];
            if (ch == '*')
            {
                if (i + 1 < pattern.Length && pattern[i + 1] == '*')
                {
                    i++;
                    if (i + 1 < pattern.Length && pattern[i + 1] == '/')
                    {
                        i++;
                    }

                    sb.Append(i + 1 >= pattern.Length ? ".*" : "(.*/)?");
                }
                else
                {
                    sb.Append("[^/]*");
                }
            }
            else if (ch == '?')
            {
                sb.Append("[^/]");
            }
            else if (".+()|{}$^".Contains(ch, StringComparison.Ordinal))
            {
                sb.Append('\\').Append(ch);
            }
            else if (ch == '\\')
            {
                if (i + 1 < pattern.Length)
                {
                    sb.Append(Regex.Escape(pattern[++i].ToString()));
                }
            }
            else
            {
                sb.Append(ch);
            }
        }

        return sb.Append('$').ToString();
    }
}
