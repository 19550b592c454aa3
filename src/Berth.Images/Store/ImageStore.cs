using System.Globalization;
using Berth.Storage.Metadata;
using Microsoft.Data.Sqlite;

namespace Berth.Images.Store;

/// <summary>
/// Image metadata: the <c>images</c>, <c>image_layers</c> and <c>image_refs</c> tables, mirrored in
/// memory for queries. Every change is one SQLite transaction first, then applied to the in-memory
/// view under a lock, so readers always see a committed state. Configs live in the content store.
/// </summary>
public sealed class ImageStore
{
    private static readonly string[] Migrations =
    [
        """
        CREATE TABLE images (
            id TEXT PRIMARY KEY,
            manifest_digest TEXT,
            created_at TEXT NOT NULL,
            last_tag_time TEXT
        );
        CREATE TABLE image_layers (
            image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
            idx INTEGER NOT NULL,
            blob_digest TEXT NOT NULL,
            media_type TEXT NOT NULL,
            size INTEGER NOT NULL,
            PRIMARY KEY (image_id, idx)
        );
        CREATE TABLE image_refs (
            name TEXT PRIMARY KEY,
            image_id TEXT NOT NULL REFERENCES images(id) ON DELETE CASCADE,
            created_at TEXT NOT NULL
        );
        CREATE INDEX image_refs_image ON image_refs(image_id);
        """,
    ];

    private readonly EngineDatabase _db;
    private readonly Lock _lock = new();
    private Dictionary<string, ImageEntry> _images = new(StringComparer.Ordinal);
    private Dictionary<string, string> _refs = new(StringComparer.Ordinal);

    public ImageStore(EngineDatabase db)
    {
        _db = db;
        db.Migrate("images", Migrations);
    }

    /// <summary>Raw rows read at start-up; the service turns them into entries (it needs the content store).</summary>
    public IReadOnlyList<StoredImageRow> ReadRows()
    {
        using var c = _db.Open();
        var rows = new Dictionary<string, StoredImageRow>(StringComparer.Ordinal);
        using (var q = c.CreateCommand())
        {
            q.CommandText = "SELECT id, manifest_digest, created_at, last_tag_time FROM images";
            using var r = q.ExecuteReader();
            while (r.Read())
            {
                rows[r.GetString(0)] = new StoredImageRow(r.GetString(0), r.IsDBNull(1) ? null : r.GetString(1), ParseTime(r.GetString(2)) ?? DateTimeOffset.UnixEpoch, r.IsDBNull(3) ? null : ParseTime(r.GetString(3)), new List<Model.LayerBlob>());
            }
        }

        using (var q = c.CreateCommand())
        {
            q.CommandText = "SELECT image_id, blob_digest, media_type, size FROM image_layers ORDER BY image_id, idx";
            using var r = q.ExecuteReader();
            while (r.Read())
            {
                if (rows.TryGetValue(r.GetString(0), out var row))
                {
                    ((List<Model.LayerBlob>)row.Layers).Add(new Model.LayerBlob(r.GetString(1), r.GetString(2), r.GetInt64(3)));
                }
            }
        }

        return rows.Values.ToList();
    }

    public void Initialize(IEnumerable<ImageEntry> entries)
    {
        var images = entries.ToDictionary(e => e.Id, StringComparer.Ordinal);
        var refs = new Dictionary<string, string>(StringComparer.Ordinal);
        using (var c = _db.Open())
        using (var q = c.CreateCommand())
        {
            q.CommandText = "SELECT name, image_id FROM image_refs";
            using var r = q.ExecuteReader();
            while (r.Read())
            {
                if (images.ContainsKey(r.GetString(1)))
                {
                    refs[r.GetString(0)] = r.GetString(1);
                }
            }
        }

        lock (_lock)
        {
            _images = images;
            _refs = refs;
        }
    }

    public IReadOnlyList<ImageEntry> All()
    {
        lock (_lock)
        {
            return _images.Values.ToList();
        }
    }

    public ImageEntry? Get(string id)
    {
        lock (_lock)
        {
            return _images.GetValueOrDefault(id);
        }
    }

    /// <summary>Image ID a full reference name ("docker.io/library/busybox:latest") points to.</summary>
    public string? Lookup(string name)
    {
        lock (_lock)
        {
            return _refs.GetValueOrDefault(name);
        }
    }

    /// <summary>Full reference names pointing at an image.</summary>
    public IReadOnlyList<string> RefsOf(string id)
    {
        lock (_lock)
        {
            return _refs.Where(kv => kv.Value == id).Select(kv => kv.Key).ToList();
        }
    }

    public IReadOnlyDictionary<string, string> AllRefs()
    {
        lock (_lock)
        {
            return new Dictionary<string, string>(_refs, StringComparer.Ordinal);
        }
    }

    /// <summary>Image IDs whose ID starts with the given hex prefix.</summary>
    public IReadOnlyList<string> IdsWithPrefix(string hexPrefix)
    {
        lock (_lock)
        {
            return _images.Keys.Where(k => k.AsSpan(7).StartsWith(hexPrefix, StringComparison.Ordinal)).ToList();
        }
    }

    /// <summary>
    /// Adds an image (if new) and points <paramref name="refs"/> at it, in one transaction.
    /// Returns, per reference, the image it pointed to before (when it moved).
    /// </summary>
    public IReadOnlyDictionary<string, string> Add(ImageEntry entry, IReadOnlyList<string> refs, DateTimeOffset now)
    {
        var moved = new Dictionary<string, string>(StringComparer.Ordinal);
        using var c = _db.Open();
        using var tx = c.BeginTransaction(deferred: false);
        var exists = Get(entry.Id) is not null;
        if (!exists)
        {
            using (var i = c.CreateCommand())
            {
                i.Transaction = tx;
                i.CommandText = "INSERT INTO images(id, manifest_digest, created_at, last_tag_time) VALUES($id, $m, $c, $t)";
                i.Parameters.AddWithValue("$id", entry.Id);
                i.Parameters.AddWithValue("$m", (object?)entry.ManifestDigest ?? DBNull.Value);
                i.Parameters.AddWithValue("$c", FormatTime(entry.LoadedAt));
                i.Parameters.AddWithValue("$t", refs.Count > 0 ? FormatTime(now) : DBNull.Value);
                i.ExecuteNonQuery();
            }

            for (var idx = 0; idx < entry.Layers.Count; idx++)
            {
                using var l = c.CreateCommand();
                l.Transaction = tx;
                l.CommandText = "INSERT INTO image_layers(image_id, idx, blob_digest, media_type, size) VALUES($id, $i, $d, $m, $s)";
                l.Parameters.AddWithValue("$id", entry.Id);
                l.Parameters.AddWithValue("$i", idx);
                l.Parameters.AddWithValue("$d", entry.Layers[idx].Digest);
                l.Parameters.AddWithValue("$m", entry.Layers[idx].MediaType);
                l.Parameters.AddWithValue("$s", entry.Layers[idx].Size);
                l.ExecuteNonQuery();
            }
        }

        foreach (var name in refs)
        {
            if (Lookup(name) is { } old && old != entry.Id)
            {
                moved[name] = old;
            }

            UpsertRef(c, tx, name, entry.Id, now);
        }

        if (exists && refs.Count > 0)
        {
            TouchTagTime(c, tx, entry.Id, now);
        }

        tx.Commit();
        lock (_lock)
        {
            if (!_images.TryGetValue(entry.Id, out var current))
            {
                current = entry with { LastTagTime = refs.Count > 0 ? now : null };
            }
            else if (refs.Count > 0)
            {
                current = current with { LastTagTime = now };
            }

            _images[entry.Id] = current;
            foreach (var name in refs)
            {
                _refs[name] = entry.Id;
            }
        }

        return moved;
    }

    /// <summary>Points a reference at an existing image; returns the image it pointed to before, if another.</summary>
    public string? SetRef(string name, string id, DateTimeOffset now)
    {
        using var c = _db.Open();
        using var tx = c.BeginTransaction(deferred: false);
        var old = Lookup(name);
        UpsertRef(c, tx, name, id, now);
        TouchTagTime(c, tx, id, now);
        tx.Commit();
        lock (_lock)
        {
            _refs[name] = id;
            if (_images.TryGetValue(id, out var e))
            {
                _images[id] = e with { LastTagTime = now };
            }
        }

        return old == id ? null : old;
    }

    public bool RemoveRef(string name)
    {
        using var c = _db.Open();
        using var d = c.CreateCommand();
        d.CommandText = "DELETE FROM image_refs WHERE name = $n";
        d.Parameters.AddWithValue("$n", name);
        var n = d.ExecuteNonQuery();
        lock (_lock)
        {
            _refs.Remove(name);
        }

        return n > 0;
    }

    /// <summary>Deletes an image row (its layers and refs cascade).</summary>
    public void Delete(string id)
    {
        using var c = _db.Open();
        using var d = c.CreateCommand();
        d.CommandText = "DELETE FROM images WHERE id = $id";
        d.Parameters.AddWithValue("$id", id);
        d.ExecuteNonQuery();
        lock (_lock)
        {
            _images.Remove(id);
            foreach (var k in _refs.Where(kv => kv.Value == id).Select(kv => kv.Key).ToList())
            {
                _refs.Remove(k);
            }
        }
    }

    private static void UpsertRef(SqliteConnection c, SqliteTransaction tx, string name, string id, DateTimeOffset now)
    {
        using var u = c.CreateCommand();
        u.Transaction = tx;
        u.CommandText = "INSERT INTO image_refs(name, image_id, created_at) VALUES($n, $id, $t) ON CONFLICT(name) DO UPDATE SET image_id = excluded.image_id, created_at = excluded.created_at";
        u.Parameters.AddWithValue("$n", name);
        u.Parameters.AddWithValue("$id", id);
        u.Parameters.AddWithValue("$t", FormatTime(now));
        u.ExecuteNonQuery();
    }

    private static void TouchTagTime(SqliteConnection c, SqliteTransaction tx, string id, DateTimeOffset now)
    {
        using var u = c.CreateCommand();
        u.Transaction = tx;
        u.CommandText = "UPDATE images SET last_tag_time = $t WHERE id = $id";
        u.Parameters.AddWithValue("$id", id);
        u.Parameters.AddWithValue("$t", FormatTime(now));
        u.ExecuteNonQuery();
    }

    private static string FormatTime(DateTimeOffset t) => t.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    private static DateTimeOffset? ParseTime(string s) =>
        DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var t) ? t : null;
}
