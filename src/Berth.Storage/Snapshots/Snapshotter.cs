using System.Globalization;
using Berth.Core.Errors;
using Berth.Platform.Files;
using Berth.Storage.Metadata;
using Microsoft.Data.Sqlite;

namespace Berth.Storage.Snapshots;

/// <summary>
/// overlayfs snapshots under &lt;root&gt;/&lt;n&gt;/{fs,work}, recorded in the <c>snapshots</c> table.
/// A layer is unpacked into a staging snapshot, then committed under its chain ID; if that chain is
/// already present the staging copy is dropped, so each layer chain is unpacked once and shared.
/// Directories are created before their row becomes committed and removed after their row is gone,
/// so after a crash the only leftovers are directories without a committed row: <see cref="Recover"/>
/// deletes them at start-up.
/// </summary>
public sealed class Snapshotter
{
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE snapshots (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            key TEXT NOT NULL UNIQUE,
            parent TEXT,
            kind TEXT NOT NULL,
            diff_id TEXT,
            size INTEGER NOT NULL DEFAULT 0,
            created_at TEXT NOT NULL
        );
        CREATE INDEX snapshots_parent ON snapshots(parent);
        """,
    ];

    private readonly EngineDatabase _db;
    private readonly TimeProvider _time;

    // Writers queue here rather than inside SQLite: its busy handler backs off with sleeps of up
    // to 100 ms, which fifty concurrent creates would hit (one write transaction is ~1 ms).
    private readonly Lock _writes = new();

    public Snapshotter(EngineDatabase db, string root, TimeProvider time)
    {
        _db = db;
        _time = time;
        Root = root;
        StateDirectory.Ensure(root, StateDirectory.Private); // layer contents: only reachable through a container's mount
        _ = PosixFiles.TryMarkTopDirectory(root); // snapshots come and go with containers
        db.Migrate("snapshots", Migrations);
    }

    public string Root { get; }

    /// <summary>Allocates a staging snapshot with an empty fs directory to unpack into.</summary>
    public Snapshot CreateStaging()
    {
        lock (_writes)
        {
            return CreateStagingLocked();
        }
    }

    private Snapshot CreateStagingLocked()
    {
        using var c = _db.Open();
        var key = "staging-" + Guid.NewGuid().ToString("N");
        var id = Insert(c, null, key, null, SnapshotKind.Staging, null, 0);
        var s = new Snapshot(id, key, null, SnapshotKind.Staging, null, 0, DirOf(id));
        Directory.CreateDirectory(s.FsPath);
        return s;
    }

    /// <summary>
    /// Makes a staging snapshot the committed layer <paramref name="chainId"/>. When that chain exists
    /// already the staging one is discarded and the existing one returned.
    /// </summary>
    public Snapshot Commit(Snapshot staging, string chainId, string? parentChainId, string diffId, long size)
    {
        lock (_writes)
        {
            return CommitLocked(staging, chainId, parentChainId, diffId, size);
        }
    }

    private Snapshot CommitLocked(Snapshot staging, string chainId, string? parentChainId, string diffId, long size)
    {
        using var c = _db.Open();
        using var tx = c.BeginTransaction(deferred: false);
        if (Get(c, tx, chainId) is { Kind: SnapshotKind.Committed } existing)
        {
            tx.Commit();
            Discard(staging);
            return existing;
        }

        using (var u = c.CreateCommand())
        {
            u.Transaction = tx;
            u.CommandText = "UPDATE snapshots SET key = $k, parent = $p, kind = 'committed', diff_id = $d, size = $s WHERE id = $id AND kind = 'staging'";
            u.Parameters.AddWithValue("$k", chainId);
            u.Parameters.AddWithValue("$p", (object?)parentChainId ?? DBNull.Value);
            u.Parameters.AddWithValue("$d", diffId);
            u.Parameters.AddWithValue("$s", size);
            u.Parameters.AddWithValue("$id", staging.Id);
            if (u.ExecuteNonQuery() != 1)
            {
                throw new BerthException(ErrorKind.Internal, $"staging snapshot {staging.Id} vanished before commit");
            }
        }

        tx.Commit();
        return staging with { Key = chainId, Parent = parentChainId, Kind = SnapshotKind.Committed, DiffId = diffId, Size = size };
    }

    /// <summary>Drops a staging snapshot (row and directory).</summary>
    public void Discard(Snapshot staging)
    {
        lock (_writes)
        {
            using var c = _db.Open();
            using var d = c.CreateCommand();
            d.CommandText = "DELETE FROM snapshots WHERE id = $id AND kind = 'staging'";
            d.Parameters.AddWithValue("$id", staging.Id);
            d.ExecuteNonQuery();
        }

        DeleteDir(staging.Dir);
    }

    public Snapshot? Get(string key)
    {
        using var c = _db.Open();
        return Get(c, null, key);
    }

    /// <summary>The committed chain's layer directories, top layer first (overlay's lowerdir order).</summary>
    public IReadOnlyList<string> LowerDirs(string chainId)
    {
        var dirs = new List<string>();
        using var c = _db.Open();
        string? key = chainId;
        while (key is not null)
        {
            var s = Get(c, null, key) ?? throw BerthException.NotFound($"snapshot {key} does not exist");
            dirs.Add(s.FsPath);
            key = s.Parent;
        }

        return dirs;
    }

    /// <summary>
    /// Creates (or returns) the active snapshot <paramref name="key"/> on top of committed chain
    /// <paramref name="parentChainId"/> (null or empty for an image without layers).
    /// </summary>
    public Snapshot PrepareActive(string key, string? parentChainId)
    {
        lock (_writes)
        {
            return PrepareActiveLocked(key, parentChainId);
        }
    }

    private Snapshot PrepareActiveLocked(string key, string? parentChainId)
    {
        using var c = _db.Open();
        using var tx = c.BeginTransaction(deferred: false);
        if (Get(c, tx, key) is { } existing)
        {
            tx.Commit();
            return existing.Kind == SnapshotKind.Active ? existing : throw BerthException.Conflict($"snapshot key {key} is already in use");
        }

        var parent = string.IsNullOrEmpty(parentChainId) ? null : parentChainId;
        if (parent is not null && Get(c, tx, parent) is not { Kind: SnapshotKind.Committed })
        {
            throw BerthException.NotFound($"parent snapshot {parent} does not exist");
        }

        var id = Insert(c, tx, key, parent, SnapshotKind.Active, null, 0);
        var s = new Snapshot(id, key, parent, SnapshotKind.Active, null, 0, DirOf(id));
        Directory.CreateDirectory(s.FsPath);
        Directory.CreateDirectory(s.WorkPath);
        tx.Commit();
        return s;
    }

    /// <summary>Removes a snapshot's row, then its directory; no error when absent.</summary>
    public bool Remove(string key)
    {
        Snapshot? s;
        lock (_writes)
        {
            using var c = _db.Open();
            using var tx = c.BeginTransaction(deferred: false);
            s = Get(c, tx, key);
            if (s is null)
            {
                return false;
            }

            using var d = c.CreateCommand();
            d.Transaction = tx;
            d.CommandText = "DELETE FROM snapshots WHERE id = $id";
            d.Parameters.AddWithValue("$id", s.Id);
            d.ExecuteNonQuery();
            tx.Commit();
        }

        DeleteDir(s.Dir);
        return true;
    }

    public IReadOnlyList<Snapshot> List(SnapshotKind? kind = null)
    {
        using var c = _db.Open();
        using var q = c.CreateCommand();
        q.CommandText = "SELECT id, key, parent, kind, diff_id, size FROM snapshots" + (kind is null ? string.Empty : " WHERE kind = $k");
        if (kind is { } k)
        {
            q.Parameters.AddWithValue("$k", KindName(k));
        }

        var list = new List<Snapshot>();
        using var r = q.ExecuteReader();
        while (r.Read())
        {
            list.Add(Read(r));
        }

        return list;
    }

    /// <summary>
    /// Start-up recovery: drops staging rows a crash left, and every directory under the root that
    /// has no row. Returns how many directories were removed.
    /// </summary>
    public int Recover()
    {
        using (var c = _db.Open())
        using (var d = c.CreateCommand())
        {
            d.CommandText = "DELETE FROM snapshots WHERE kind = 'staging'";
            d.ExecuteNonQuery();
        }

        var known = List().Select(s => s.Id.ToString(CultureInfo.InvariantCulture)).ToHashSet(StringComparer.Ordinal);
        var removed = 0;
        foreach (var dir in Directory.EnumerateDirectories(Root))
        {
            if (!known.Contains(Path.GetFileName(dir)))
            {
                DeleteDir(dir);
                removed++;
            }
        }

        return removed;
    }

    /// <summary>Bytes used by the files of a snapshot's own directory (not its parents).</summary>
    public static long DiskUsage(string path)
    {
        if (!Directory.Exists(path))
        {
            return 0;
        }

        long total = 0;
        var seen = new HashSet<ulong>();
        // Symlinks are skipped, never followed: a container could otherwise point this walk at the host's "/".
        var opts = new EnumerationOptions { RecurseSubdirectories = true, AttributesToSkip = FileAttributes.ReparsePoint, IgnoreInaccessible = true, ReturnSpecialDirectories = false };
        foreach (var f in new DirectoryInfo(path).EnumerateFileSystemInfos("*", opts))
        {
            if (f is FileInfo { LinkTarget: null } fi)
            {
                var st = Platform.Files.PosixFiles.TryLstat(fi.FullName);
                if (st is { IsRegular: true } s && (s.Nlink <= 1 || seen.Add(s.Inode)))
                {
                    total += s.Size;
                }
            }
        }

        return total;
    }

    private string DirOf(long id) => Path.Combine(Root, id.ToString(CultureInfo.InvariantCulture));

    private long Insert(SqliteConnection c, SqliteTransaction? tx, string key, string? parent, SnapshotKind kind, string? diffId, long size)
    {
        using var i = c.CreateCommand();
        i.Transaction = tx;
        i.CommandText = "INSERT INTO snapshots(key, parent, kind, diff_id, size, created_at) VALUES($k, $p, $kind, $d, $s, $t) RETURNING id";
        i.Parameters.AddWithValue("$k", key);
        i.Parameters.AddWithValue("$p", (object?)parent ?? DBNull.Value);
        i.Parameters.AddWithValue("$kind", KindName(kind));
        i.Parameters.AddWithValue("$d", (object?)diffId ?? DBNull.Value);
        i.Parameters.AddWithValue("$s", size);
        i.Parameters.AddWithValue("$t", _time.GetUtcNow().ToString("O", CultureInfo.InvariantCulture));
        return (long)i.ExecuteScalar()!;
    }

    private Snapshot? Get(SqliteConnection c, SqliteTransaction? tx, string key)
    {
        using var q = c.CreateCommand();
        q.Transaction = tx;
        q.CommandText = "SELECT id, key, parent, kind, diff_id, size FROM snapshots WHERE key = $k";
        q.Parameters.AddWithValue("$k", key);
        using var r = q.ExecuteReader();
        return r.Read() ? Read(r) : null;
    }

    private Snapshot Read(SqliteDataReader r)
    {
        var id = r.GetInt64(0);
        return new Snapshot(id, r.GetString(1), r.IsDBNull(2) ? null : r.GetString(2), ParseKind(r.GetString(3)), r.IsDBNull(4) ? null : r.GetString(4), r.GetInt64(5), DirOf(id));
    }

    private static string KindName(SnapshotKind k) => k switch
    {
        SnapshotKind.Staging => "staging",
        SnapshotKind.Committed => "committed",
        _ => "active",
    };

    private static SnapshotKind ParseKind(string s) => s switch
    {
        "staging" => SnapshotKind.Staging,
        "committed" => SnapshotKind.Committed,
        _ => SnapshotKind.Active,
    };

    private static void DeleteDir(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
        }
    }
}
