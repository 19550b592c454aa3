using Berth.Platform.Files;

namespace Berth.Containers.Archive;

/// <summary>
/// Resolves a container path inside a root directory the way the container would see it: every
/// symlink (absolute or relative) and every ".." is evaluated with the root as "/", so the
/// result never names anything outside the root. Returns the canonical in-root path ("/a/b"),
/// whose components are real directories (the last one is followed only when asked).
/// </summary>
public static class ScopedPath
{
    private const int MaxLinks = 255;

    /// <summary>Null when a component does not exist (or is not a directory where one is needed).</summary>
    public static string? Resolve(string root, string path, bool followFinal)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(path);
        var pending = new Stack<string>(Split(path).Reverse());
        var resolved = new List<string>();
        var links = 0;
        while (pending.Count > 0)
        {
            var part = pending.Pop();
            if (part == "..")
            {
                if (resolved.Count > 0)
                {
                    resolved.RemoveAt(resolved.Count - 1);
                }

                continue;
            }

            var candidate = Join(resolved, part);
            var st = PosixFiles.TryLstat(root.TrimEnd('/') + candidate);
            if (st is null)
            {
                if (pending.Count == 0)
                {
                    // A missing final component is fine (PUT may create it); a missing parent is not.
                    resolved.Add(part);
                    return null;
                }

                return null;
            }

            if (st.Value.IsSymlink && (pending.Count > 0 || followFinal))
            {
                if (++links > MaxLinks)
                {
                    return null;
                }

                var target = new FileInfo(root.TrimEnd('/') + candidate).LinkTarget ?? string.Empty;
                if (target.StartsWith('/'))
                {
                    resolved.Clear();
                }

                foreach (var t in Split(target).Reverse())
                {
                    pending.Push(t);
                }

                continue;
            }

            if (pending.Count > 0 && !st.Value.IsDirectory)
            {
                return null;
            }

            resolved.Add(part);
        }

        return resolved.Count == 0 ? "/" : "/" + string.Join('/', resolved);
    }

    /// <summary>
    /// Host path of a canonical in-root path from <see cref="Resolve"/>. The root itself keeps a
    /// trailing slash: lstat of /proc/PID/root (a running container) must see the directory, not the link.
    /// </summary>
    public static string HostPath(string root, string canonical) => canonical == "/" ? root.TrimEnd('/') + "/" : root.TrimEnd('/') + canonical;

    private static string Join(List<string> resolved, string part) => "/" + string.Join('/', resolved.Append(part));

    private static IEnumerable<string> Split(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".");
}
