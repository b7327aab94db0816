using Microsoft.Data.Sqlite;

namespace Vigil.Storage;

/// <summary>
/// The embedded SQLite store: one database file in the data directory, WAL journal, schema created on open.
/// Every repository opens short-lived pooled connections through <see cref="OpenAsync"/>.
/// </summary>
public sealed class SqliteStore
{
    private readonly string _connectionString;

    static SqliteStore() => SQLitePCL.Batteries_V2.Init();

    /// <summary>
    /// Opens (creating when missing) the database at <paramref name="path"/> and applies the schema. The database file
    /// is created mode 0600 before SQLite opens it; SQLite gives its <c>-wal</c> and <c>-shm</c> files the database's
    /// mode, so the journal of recordings is as private as the store. Files of an older release are tightened.
    /// </summary>
    public SqliteStore(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            using (new FileStream(path, new FileStreamOptions
            {
                Mode = FileMode.OpenOrCreate, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            }))
            {
            }
            foreach (var file in new[] { path, path + "-wal", path + "-shm" }.Where(File.Exists))
            {
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
        }.ToString();
        using var connection = Open();
        Execute(connection, "PRAGMA journal_mode=WAL;");
        Migrate(connection);
    }

    /// <summary>Opens a pooled connection with a 5 s busy timeout and foreign keys on.</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(cancellationToken);
        Execute(connection, "PRAGMA busy_timeout=5000; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;");
        return connection;
    }

    private SqliteConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        return connection;
    }

    /// <summary>Applies the migrations above <c>user_version</c> atomically.</summary>
    private static void Migrate(SqliteConnection connection)
    {
        using var version = connection.CreateCommand();
        version.CommandText = "PRAGMA user_version";
        var current = Convert.ToInt32(version.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
        if (current > Schema.Migrations.Length)
        {
            throw new InvalidOperationException($"the store was written by a newer Vigil (schema {current}; this build knows {Schema.Migrations.Length})");
        }
        if (current == Schema.Migrations.Length)
        {
            return;
        }
        // Table rebuilds (drop and rename) must not cascade or fail on foreign keys; e_sqlite3 turns them on by default and
        // the pragma is a no-op inside a transaction, so it goes first. Raw BEGIN/COMMIT: DDL and user_version are
        // transactional in SQLite, so a failed upgrade leaves the old schema.
        Execute(connection, "PRAGMA foreign_keys=OFF");
        Execute(connection, "BEGIN IMMEDIATE");
        try
        {
            foreach (var statement in Schema.Migrations.Skip(current).SelectMany(m => m))
            {
                Execute(connection, statement);
            }
            Execute(connection, $"PRAGMA user_version = {Schema.Migrations.Length}");
            using (var check = connection.CreateCommand())
            {
                check.CommandText = "PRAGMA foreign_key_check";
                if (check.ExecuteScalar() is string table)
                {
                    throw new InvalidOperationException($"the store upgrade left rows in '{table}' that reference missing rows; the store is unchanged");
                }
            }
            Execute(connection, "COMMIT");
        }
        catch
        {
            Execute(connection, "ROLLBACK");
            throw;
        }
        finally
        {
            Execute(connection, "PRAGMA foreign_keys=ON");
        }
    }

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
