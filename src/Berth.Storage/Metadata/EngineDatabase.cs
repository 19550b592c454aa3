using Berth.Core.Errors;
using Microsoft.Data.Sqlite;

namespace Berth.Storage.Metadata;

/// <summary>
/// The engine's one metadata database, &lt;data-root&gt;/berth.db (SQLite in WAL mode). Each subsystem
/// owns its tables and brings them up to date with <see cref="Migrate"/>: an ordered list of DDL steps,
/// of which those not yet applied (per subsystem, counted in <c>schema_versions</c>) run in one
/// transaction at start-up. Connections are pooled; every one gets foreign keys and a busy timeout.
/// </summary>
public sealed class EngineDatabase : IDisposable
{
    private readonly string _connectionString;
    private readonly SqliteConnection _keepAlive;

    public EngineDatabase(string dataRoot)
    {
        Directory.CreateDirectory(dataRoot);
        Path = System.IO.Path.Combine(dataRoot, "berth.db");
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = Path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            ForeignKeys = true,
            DefaultTimeout = 30,
        }.ToString();

        // Held open for the daemon's lifetime: keeps the WAL index mapped and pooled connections warm.
        _keepAlive = Open();
        Execute(_keepAlive, "PRAGMA journal_mode=WAL;");
        Execute(_keepAlive, "CREATE TABLE IF NOT EXISTS schema_versions (subsystem TEXT PRIMARY KEY, version INTEGER NOT NULL);");
    }

    /// <summary>Full path of the database file.</summary>
    public string Path { get; }

    /// <summary>Opens a pooled connection with Berth's pragmas applied; dispose it when done.</summary>
    public SqliteConnection Open()
    {
        var c = new SqliteConnection(_connectionString);
        c.Open();
        // synchronous=FULL: a committed transaction survives power loss, not only a killed process.
        Execute(c, "PRAGMA busy_timeout=30000; PRAGMA foreign_keys=ON; PRAGMA synchronous=FULL;");
        return c;
    }

    /// <summary>
    /// Applies the steps of <paramref name="subsystem"/> not applied yet. Steps are append-only:
    /// never edit one that has shipped, add a new one.
    /// </summary>
    public void Migrate(string subsystem, IReadOnlyList<string> steps)
    {
        using var c = Open();
        using var tx = c.BeginTransaction(deferred: false);
        long current;
        using (var q = c.CreateCommand())
        {
            q.Transaction = tx;
            q.CommandText = "SELECT version FROM schema_versions WHERE subsystem = $s";
            q.Parameters.AddWithValue("$s", subsystem);
            current = q.ExecuteScalar() is long v ? v : 0;
        }

        if (current > steps.Count)
        {
            throw new BerthException(ErrorKind.Internal, $"{Path}: schema of {subsystem} is at version {current}, newer than this berthd ({steps.Count}); refusing to downgrade");
        }

        for (var i = (int)current; i < steps.Count; i++)
        {
            using var step = c.CreateCommand();
            step.Transaction = tx;
            step.CommandText = steps[i];
            step.ExecuteNonQuery();
        }

        using (var u = c.CreateCommand())
        {
            u.Transaction = tx;
            u.CommandText = "INSERT INTO schema_versions(subsystem, version) VALUES($s, $v) ON CONFLICT(subsystem) DO UPDATE SET version = excluded.version";
            u.Parameters.AddWithValue("$s", subsystem);
            u.Parameters.AddWithValue("$v", steps.Count);
            u.ExecuteNonQuery();
        }

        tx.Commit();
    }

    public void Dispose() => _keepAlive.Dispose();

    private static void Execute(SqliteConnection c, string sql)
    {
        using var cmd = c.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }
}
