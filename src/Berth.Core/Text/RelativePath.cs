namespace Berth.Core.Text;

/// <summary>Archive entry names and link targets as paths below a root, worked out lexically.</summary>
public static class RelativePath
{
    /// <summary>
    /// The path with "." and empty parts dropped and each ".." taking back the part before it:
    /// "" for the root itself, null when a ".." would climb above the root. A leading "/" counts
    /// as the root, as tar does. Nothing is looked up: the caller resolves the result safely.
    /// </summary>
    public static string? Clean(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var parts = new List<string>();
        foreach (var p in path.Split('/', StringSplitOptions.RemoveEmptyEntries))
        {
            if (p == ".")
            {
                continue;
            }

            if (p == "..")
            {
                if (parts.Count == 0)
                {
                    return null;
                }

                parts.RemoveAt(parts.Count - 1);
                continue;
            }

            parts.Add(p);
        }

        return string.Join('/', parts);
    }
}
