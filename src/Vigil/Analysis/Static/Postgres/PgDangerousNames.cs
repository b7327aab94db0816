using System.Collections.Frozen;

namespace Vigil.Analysis.Static.Postgres;

/// <summary>
/// Built-in functions, catalogs, settings and roles whose mere use changes the risk of a statement
/// (PostgreSQL docs §9.27 "System Administration Functions", §54 "System Catalogs", §22.5 "Predefined Roles").
/// Lookups take lower-case spans and allocate nothing.
/// </summary>
internal static class PgDangerousNames
{
    /// <summary>High: server file and directory access, large-object import/export to server files, outbound connections
    /// (dblink can exfiltrate or run SQL elsewhere), killing sessions, and functions that run an arbitrary query string.</summary>
    private static readonly FrozenSet<string> HighFunctions = FrozenSet.Create(StringComparer.Ordinal,
        "pg_read_file", "pg_read_binary_file", "pg_ls_dir", "pg_stat_file", "pg_file_write", "pg_file_rename",
        "pg_file_unlink", "lo_import", "lo_export", "dblink", "dblink_exec", "dblink_connect", "dblink_connect_u",
        "dblink_send_query", "dblink_open", "pg_terminate_backend", "pg_promote", "pg_drop_replication_slot",
        "query_to_xml", "query_to_xml_and_xmlschema", "query_to_xmlschema", "cursor_to_xml");

    /// <summary>Medium: these interfere with other sessions or the server (cancel a query, reload configuration, change a
    /// setting for the session), list server log/WAL directories, or hold a connection; reversible, so not High.
    /// <c>set_config</c> of an audit setting is promoted to High by the caller.</summary>
    private static readonly FrozenSet<string> MediumFunctions = FrozenSet.Create(StringComparer.Ordinal,
        "pg_cancel_backend", "pg_reload_conf", "set_config", "pg_rotate_logfile", "pg_ls_logdir", "pg_ls_waldir",
        "pg_ls_tmpdir", "pg_ls_archive_statusdir", "pg_switch_wal", "pg_sleep", "pg_sleep_for", "pg_sleep_until",
        "lo_unlink", "pg_stat_reset", "pg_stat_statements_reset", "pg_create_logical_replication_slot",
        "pg_create_physical_replication_slot", "pg_backup_start", "pg_backup_stop");

    /// <summary>Catalogs and views that expose password hashes or foreign-server credentials.</summary>
    private static readonly FrozenSet<string> CredentialCatalogs = FrozenSet.Create(StringComparer.Ordinal,
        "pg_authid", "pg_shadow", "pg_user_mapping", "pg_user_mappings");

    /// <summary>Settings that control auditing, logging, triggers and integrity checks (§20.8, §20.11, pgaudit).</summary>
    private static readonly FrozenSet<string> AuditSettings = FrozenSet.Create(StringComparer.Ordinal,
        "session_replication_role", "allow_system_table_mods", "zero_damaged_pages", "ignore_checksum_failure",
        "ignore_system_indexes", "logging_collector", "track_activities", "track_counts", "row_security");

    /// <summary>Predefined or well-known roles that amount to superuser, server file or program access.</summary>
    private static readonly FrozenSet<string> PrivilegedRoles = FrozenSet.Create(StringComparer.Ordinal,
        "pg_execute_server_program", "pg_read_server_files", "pg_write_server_files", "pg_write_all_data",
        "pg_read_all_data", "pg_signal_backend", "pg_checkpoint", "postgres", "rds_superuser", "azure_pg_admin",
        "cloudsqlsuperuser", "supabase_admin");

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _high = HighFunctions.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _medium = MediumFunctions.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _credentials = CredentialCatalogs.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _audit = AuditSettings.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _roles = PrivilegedRoles.GetAlternateLookup<ReadOnlySpan<char>>();

    public static bool IsHighFunction(ReadOnlySpan<char> lowerName) => _high.Contains(lowerName);

    public static bool IsMediumFunction(ReadOnlySpan<char> lowerName) => _medium.Contains(lowerName);

    public static bool IsCredentialCatalog(ReadOnlySpan<char> lowerName) => _credentials.Contains(lowerName);

    public static bool IsPrivilegedRole(ReadOnlySpan<char> lowerName) => _roles.Contains(lowerName);

    /// <summary>Logging (<c>log_*</c>), auditing (<c>pgaudit.*</c>) and the settings in <see cref="AuditSettings"/>.</summary>
    public static bool IsAuditSetting(ReadOnlySpan<char> lowerName) =>
        lowerName.StartsWith("log_") || lowerName.StartsWith("pgaudit.") || _audit.Contains(lowerName);
}
