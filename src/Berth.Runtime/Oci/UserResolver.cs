using System.Globalization;
using System.Text;
using Berth.Core.Errors;

namespace Berth.Runtime.Oci;

/// <summary>
/// Resolves Docker's user syntax ("", "name", "uid", "uid:gid", "name:group") against the
/// container's /etc/passwd and /etc/group, with Docker's (libcontainer's) rules and messages.
/// </summary>
public static class UserResolver
{
    /// <param name="user">The --user value.</param>
    /// <param name="additionalGroups">--group-add values (names or gids).</param>
    /// <param name="passwd">Contents of /etc/passwd, or null when the image has none.</param>
    /// <param name="group">Contents of /etc/group, or null.</param>
    public static ResolvedUser Resolve(string user, IReadOnlyList<string> additionalGroups, string? passwd, string? group)
    {
        ArgumentNullException.ThrowIfNull(user);
        ArgumentNullException.ThrowIfNull(additionalGroups);
        var users = ParsePasswd(passwd);
        var groups = ParseGroup(group);

        var spec = user.Length == 0 ? "0" : user;
        var colon = spec.IndexOf(':', StringComparison.Ordinal);
        var userPart = colon >= 0 ? spec[..colon] : spec;
        var groupPart = colon >= 0 ? spec[(colon + 1)..] : null;

        uint uid;
        uint gid = 0;
        var home = "/";
        string? name = null;
        var isNumeric = uint.TryParse(userPart, NumberStyles.None, CultureInfo.InvariantCulture, out var numericUid);
        var entry = users.FirstOrDefault(u => isNumeric ? u.Uid == numericUid : u.Name == userPart);
        if (entry is not null)
        {
            uid = entry.Uid;
            gid = entry.Gid;
            home = entry.Home;
            name = entry.Name;
        }
        else if (isNumeric)
        {
            uid = numericUid;
        }
        else if (passwd is null)
        {
            throw BerthException.Invalid($"unable to find user {userPart}: no matching entries in passwd file");
        }
        else
        {
            throw BerthException.Invalid($"unable to find user {userPart}: no matching entries in passwd file");
        }

        if (groupPart is not null)
        {
            if (uint.TryParse(groupPart, NumberStyles.None, CultureInfo.InvariantCulture, out var numericGid))
            {
                gid = numericGid;
            }
            else
            {
                var g = groups.FirstOrDefault(g => g.Name == groupPart)
                    ?? throw BerthException.Invalid($"unable to find group {groupPart}: no matching entries in group file");
                gid = g.Gid;
            }
        }

        // As dockerd's getUser: the primary group is always the first supplementary group (so `id`
        // shows groups=0(root) for root), then the user's groups from /etc/group, then --group-add.
        var extra = new List<uint> { gid };

        // Supplementary groups from /etc/group apply only when no group was given explicitly.
        if (name is not null && groupPart is null)
        {
            foreach (var g in groups)
            {
                if (g.Members.Contains(name) && !extra.Contains(g.Gid))
                {
                    extra.Add(g.Gid);
                }
            }
        }

        foreach (var add in additionalGroups)
        {
            uint addGid;
            if (uint.TryParse(add, NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                addGid = n;
            }
            else
            {
                addGid = (groups.FirstOrDefault(g => g.Name == add)
                    ?? throw BerthException.Invalid($"Unable to find group {add}: no matching entries in group file")).Gid;
            }

            if (!extra.Contains(addGid))
            {
                extra.Add(addGid);
            }
        }

        return new ResolvedUser(uid, gid, extra, home);
    }

    private static List<PasswdEntry> ParsePasswd(string? text)
    {
        var result = new List<PasswdEntry>();
        foreach (var f in Lines(text))
        {
            if (f.Length >= 4 && uint.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out var uid)
                && uint.TryParse(f[3], NumberStyles.None, CultureInfo.InvariantCulture, out var gid))
            {
                result.Add(new PasswdEntry(f[0], uid, gid, f.Length > 5 && f[5].Length > 0 ? f[5] : "/"));
            }
        }

        return result;
    }

    private static List<GroupEntry> ParseGroup(string? text)
    {
        var result = new List<GroupEntry>();
        foreach (var f in Lines(text))
        {
            if (f.Length >= 3 && uint.TryParse(f[2], NumberStyles.None, CultureInfo.InvariantCulture, out var gid))
            {
                var members = f.Length > 3 ? f[3].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) : [];
                result.Add(new GroupEntry(f[0], gid, members));
            }
        }

        return result;
    }

    private static IEnumerable<string[]> Lines(string? text)
    {
        if (text is null)
        {
            yield break;
        }

        foreach (var line in text.Split('\n'))
        {
            var t = line.Trim();
            if (t.Length == 0 || t.StartsWith('#'))
            {
                continue;
            }

            yield return t.Split(':');
        }
    }

    /// <summary>
    /// The most of /etc/passwd or /etc/group that is read (8 MiB: a directory-synced passwd of
    /// ~100,000 users). The image controls these files; a bigger one is refused, not truncated.
    /// </summary>
    public const int MaxFileBytes = 8 << 20;

    /// <summary>
    /// Reads the container's /etc/passwd or /etc/group (null when absent) without ever hanging:
    /// symlinks resolve inside the rootfs only, and a FIFO, device, socket, directory or file over
    /// <see cref="MaxFileBytes"/> is refused with InvalidArgument naming the problem.
    /// </summary>
    public static string? ReadRootFile(string rootfs, string path)
    {
        try
        {
            var bytes = Berth.Platform.Files.SafeRoot.TryReadBoundedRegularFile(rootfs, path, MaxFileBytes);
            return bytes is null ? null : Encoding.UTF8.GetString(bytes);
        }
        catch (InvalidDataException e)
        {
            throw BerthException.Invalid($"unable to look up users and groups: the container's {e.Message}");
        }
    }

    private sealed record PasswdEntry(string Name, uint Uid, uint Gid, string Home);

    private sealed record GroupEntry(string Name, uint Gid, string[] Members);
}
