namespace Vigil.Storage;

/// <summary>The embedded store's tables. Statements are idempotent so every start applies them.</summary>
internal static class Schema
{
    public static readonly string[] Statements =
    [
        """
        CREATE TABLE IF NOT EXISTS users (
            id TEXT PRIMARY KEY,
            email TEXT NOT NULL UNIQUE,
            name TEXT NOT NULL,
            is_admin INTEGER NOT NULL,
            created_at TEXT NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS api_tokens (
            id TEXT PRIMARY KEY,
            user_id TEXT NOT NULL REFERENCES users(id),
            name TEXT NOT NULL,
            token_sha256 BLOB NOT NULL UNIQUE,
            created_at TEXT NOT NULL,
            expires_at TEXT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS connections (
            name TEXT PRIMARY KEY,
            type TEXT NOT NULL,
            host TEXT NOT NULL,
            port INTEGER NOT NULL,
            database TEXT NOT NULL,
            username TEXT NOT NULL,
            password_encrypted TEXT NULL,
            ssl_mode TEXT NOT NULL,
            ssl_root_cert TEXT NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL)
        """,
        """
        CREATE TABLE IF NOT EXISTS sessions (
            id TEXT PRIMARY KEY,
            type TEXT NOT NULL,
            connection TEXT NOT NULL,
            connection_type TEXT NOT NULL,
            user_id TEXT NOT NULL,
            user_name TEXT NOT NULL,
            client_user TEXT NULL,
            client_address TEXT NULL,
            status TEXT NOT NULL,
            exit_code INTEGER NULL,
            reason TEXT NULL,
            events_lost INTEGER NOT NULL DEFAULT 0,
            started_at TEXT NOT NULL,
            ended_at TEXT NULL)
        """,
        "CREATE INDEX IF NOT EXISTS sessions_started ON sessions(started_at DESC)",
        """
        CREATE TABLE IF NOT EXISTS session_events (
            session_id TEXT NOT NULL,
            seq INTEGER NOT NULL,
            at TEXT NOT NULL,
            kind TEXT NOT NULL,
            text TEXT NULL,
            parameter_count INTEGER NULL,
            duration_us INTEGER NULL,
            command_tag TEXT NULL,
            rows INTEGER NULL,
            sqlstate TEXT NULL,
            message TEXT NULL,
            PRIMARY KEY (session_id, seq))
        """,
    ];
}
