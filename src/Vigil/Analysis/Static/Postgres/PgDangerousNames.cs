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

    private const string Interference = "Server interference";
    private const string InterferenceWhy = "The function affects other sessions, server configuration, statistics or replication.";
    private const string LargeObject = "Large object write";
    private const string LargeObjectWhy = "Creates, overwrites, truncates or deletes a large object: a data write hidden in a function call.";

    /// <summary>Medium: writes or locks a SELECT can hide (rubric: a write or a lock is at least Medium) and functions
    /// that interfere with other sessions or the server (cancel a query, reload configuration, reset statistics, hold
    /// a connection); reversible, so not High. <c>set_config</c> is judged by the caller.</summary>
    private static readonly FrozenDictionary<string, (string Title, string Explanation)> MediumFunctions =
        new Dictionary<string, (string, string)>(StringComparer.Ordinal)
        {
            ["setval"] = ("Sequence reset", "setval moves a sequence, so the application's next inserts can collide with existing keys or skip values."),
            ["pg_advisory_lock"] = ("Advisory lock", "Takes a session-level advisory lock that can block other sessions until released."),
            ["pg_advisory_lock_shared"] = ("Advisory lock", "Takes a session-level advisory lock that can block other sessions until released."),
            ["pg_advisory_xact_lock"] = ("Advisory lock", "Takes an advisory lock held to the end of the transaction, which can block other sessions."),
            ["pg_advisory_xact_lock_shared"] = ("Advisory lock", "Takes an advisory lock held to the end of the transaction, which can block other sessions."),
            ["pg_try_advisory_lock"] = ("Advisory lock", "Takes a session-level advisory lock that can block other sessions until released."),
            ["pg_try_advisory_lock_shared"] = ("Advisory lock", "Takes a session-level advisory lock that can block other sessions until released."),
            ["pg_try_advisory_xact_lock"] = ("Advisory lock", "Takes an advisory lock held to the end of the transaction, which can block other sessions."),
            ["pg_try_advisory_xact_lock_shared"] = ("Advisory lock", "Takes an advisory lock held to the end of the transaction, which can block other sessions."),
            ["lo_unlink"] = (LargeObject, LargeObjectWhy),
            ["lo_create"] = (LargeObject, LargeObjectWhy),
            ["lo_creat"] = (LargeObject, LargeObjectWhy),
            ["lo_from_bytea"] = (LargeObject, LargeObjectWhy),
            ["lo_put"] = (LargeObject, LargeObjectWhy),
            ["lo_truncate"] = (LargeObject, LargeObjectWhy),
            ["lo_truncate64"] = (LargeObject, LargeObjectWhy),
            ["lowrite"] = (LargeObject, LargeObjectWhy),
            ["pg_cancel_backend"] = ("Query cancellation", "Cancels another session's running query."),
            ["pg_reload_conf"] = (Interference, InterferenceWhy),
            ["pg_rotate_logfile"] = (Interference, InterferenceWhy),
            ["pg_ls_logdir"] = (Interference, InterferenceWhy),
            ["pg_ls_waldir"] = (Interference, InterferenceWhy),
            ["pg_ls_tmpdir"] = (Interference, InterferenceWhy),
            ["pg_ls_archive_statusdir"] = (Interference, InterferenceWhy),
            ["pg_switch_wal"] = (Interference, InterferenceWhy),
            ["pg_create_restore_point"] = (Interference, InterferenceWhy),
            ["pg_wal_replay_pause"] = (Interference, InterferenceWhy),
            ["pg_wal_replay_resume"] = (Interference, InterferenceWhy),
            ["pg_log_backend_memory_contexts"] = (Interference, InterferenceWhy),
            ["pg_logical_emit_message"] = (Interference, InterferenceWhy),
            ["pg_sleep"] = (Interference, InterferenceWhy),
            ["pg_sleep_for"] = (Interference, InterferenceWhy),
            ["pg_sleep_until"] = (Interference, InterferenceWhy),
            ["pg_stat_reset"] = (Interference, InterferenceWhy),
            ["pg_stat_reset_shared"] = (Interference, InterferenceWhy),
            ["pg_stat_reset_single_table_counters"] = (Interference, InterferenceWhy),
            ["pg_stat_reset_single_function_counters"] = (Interference, InterferenceWhy),
            ["pg_stat_reset_slru"] = (Interference, InterferenceWhy),
            ["pg_stat_reset_replication_slot"] = (Interference, InterferenceWhy),
            ["pg_stat_reset_subscription_stats"] = (Interference, InterferenceWhy),
            ["pg_stat_statements_reset"] = (Interference, InterferenceWhy),
            ["pg_create_logical_replication_slot"] = (Interference, InterferenceWhy),
            ["pg_create_physical_replication_slot"] = (Interference, InterferenceWhy),
            ["pg_copy_logical_replication_slot"] = (Interference, InterferenceWhy),
            ["pg_copy_physical_replication_slot"] = (Interference, InterferenceWhy),
            ["pg_replication_slot_advance"] = (Interference, InterferenceWhy),
            ["pg_logical_slot_get_changes"] = (Interference, InterferenceWhy),
            ["pg_logical_slot_get_binary_changes"] = (Interference, InterferenceWhy),
            ["pg_replication_origin_create"] = (Interference, InterferenceWhy),
            ["pg_replication_origin_drop"] = (Interference, InterferenceWhy),
            ["pg_replication_origin_advance"] = (Interference, InterferenceWhy),
            ["pg_replication_origin_session_setup"] = (Interference, InterferenceWhy),
            ["pg_import_system_collations"] = (Interference, InterferenceWhy),
            ["pg_backup_start"] = (Interference, InterferenceWhy),
            ["pg_backup_stop"] = (Interference, InterferenceWhy),
        }.ToFrozenDictionary(StringComparer.Ordinal);

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
    private static readonly FrozenDictionary<string, (string Title, string Explanation)>.AlternateLookup<ReadOnlySpan<char>> _medium = MediumFunctions.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _credentials = CredentialCatalogs.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _audit = AuditSettings.GetAlternateLookup<ReadOnlySpan<char>>();
    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _roles = PrivilegedRoles.GetAlternateLookup<ReadOnlySpan<char>>();

    public static bool IsHighFunction(ReadOnlySpan<char> lowerName) => _high.Contains(lowerName);

    /// <summary>Title and explanation for a Medium function, or null.</summary>
    public static (string Title, string Explanation)? MediumFunction(ReadOnlySpan<char> name) =>
        _medium.TryGetValue(name, out var found) ? found : null;

    /// <summary>A cheap pre-filter: only names with these beginnings can be in any list here.</summary>
    public static bool MayBeDangerous(ReadOnlySpan<char> name) =>
        name.StartsWith("pg_") || name.StartsWith("lo") || name.StartsWith("db") || name.StartsWith("query_")
        || name.StartsWith("cursor_") || name.StartsWith("set");

    public static bool IsCredentialCatalog(ReadOnlySpan<char> lowerName) => _credentials.Contains(lowerName);

    public static bool IsPrivilegedRole(ReadOnlySpan<char> lowerName) => _roles.Contains(lowerName);

    /// <summary>Logging (<c>log_*</c>), auditing (<c>pgaudit.*</c>) and the settings in <see cref="AuditSettings"/>.</summary>
    public static bool IsAuditSetting(ReadOnlySpan<char> lowerName) =>
        lowerName.StartsWith("log_") || lowerName.StartsWith("pgaudit.") || _audit.Contains(lowerName);
}
