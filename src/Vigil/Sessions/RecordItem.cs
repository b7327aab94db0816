using Microsoft.Data.Sqlite;

namespace Vigil.Sessions;

/// <summary>
/// A recorder item that writes itself (a feature's own table, e.g. terminal recordings), in the recorder's batch
/// transaction. Lost like any other item when it cannot be written (counted in its session's <c>events_lost</c>).
/// </summary>
internal interface IRecordItem
{
    /// <summary>The session the item belongs to.</summary>
    string SessionId { get; }

    /// <summary>Writes the item with <paramref name="db"/> inside <paramref name="transaction"/> (null outside a batch).</summary>
    void Write(SqliteConnection db, SqliteTransaction? transaction);
}
