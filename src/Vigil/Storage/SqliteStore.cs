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

    /// <summary>Opens (creating when missing) the database at <paramref name="path"/> and applies the schema.</summary>
    public SqliteStore(string path)
    {
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = path,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
        }.ToString();
        using var connection = Open();
        Execute(connection, "PRAGMA journal_mode=WAL;");
        foreach (var statement in Schema.Statements)
        {
            Execute(connection, statement);
        }
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

    private static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }
}
