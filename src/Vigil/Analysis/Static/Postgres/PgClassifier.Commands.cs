namespace Vigil.Analysis.Static.Postgres;

/// <summary>SET, COPY, EXPLAIN, maintenance, transaction control and the other utility commands.</summary>
internal sealed partial class PgClassifier
{
    /// <summary>SET [SESSION | LOCAL] name { TO | = } value. Settings that control logging, auditing, triggers or
    /// integrity checks are High unless the value restores the default; read-only escapes and role switches Medium.</summary>
    private StaticVerdict Set(int s, int e)
    {
        var i = s + 1;
        if (Is(i, e, "session") && !Is(i + 1, e, "authorization") && !Is(i + 1, e, "characteristics"))
        {
            i++;
        }
        else if (Is(i, e, "local"))
        {
            i++;
        }

        if (Is(i, e, "transaction") || Is(i, e, "constraints") || (Is(i, e, "session") && Is(i + 1, e, "characteristics")))
        {
            return PgVerdicts.Low("Transaction setting", "Sets transaction or constraint-checking behaviour.");
        }

        if (Is(i, e, "role") || (Is(i, e, "session") && Is(i + 1, e, "authorization")))
        {
            return RoleSwitch(s, e);
        }

        if (Is(i, e, "names"))
        {
            // SET NAMES 'enc' is SET client_encoding TO 'enc'.
            return EncodingSet(s, e, i + 1) ?? PgVerdicts.Low("Session setting", "Changes an ordinary setting for this session only.");
        }

        return AuditSet(s, e) ?? SettingVerdict(s, e, i);
    }

    /// <summary>SET ROLE, SET SESSION AUTHORIZATION and their RESETs change the privileges every later statement runs
    /// with (even back to the session's own role, which may hold more than the role switched to).</summary>
    private StaticVerdict RoleSwitch(int s, int e) =>
        PgVerdicts.Medium("Role switch", "Changes the role whose privileges every later statement in the session runs with.", Quote(s, e));

    private StaticVerdict SettingVerdict(int s, int e, int name)
    {
        var setting = NameText(name, NameEnd(name, e));
        if (setting is "default_transaction_read_only" or "transaction_read_only")
        {
            return PgVerdicts.Medium("Read-only override", "Changes whether the session may write.", Quote(s, e));
        }

        if (setting is "role" or "session_authorization")
        {
            return RoleSwitch(s, e);
        }

        if (setting is "search_path" or "schema")
        {
            return PgVerdicts.Medium("Search path change", "Changes which schemas unqualified names resolve to, so later statements can reach other tables or functions.", Quote(s, e));
        }

        return PgVerdicts.Low("Session setting", "Changes an ordinary setting for this session only.");
    }

    /// <summary>RESET name | ALL: restoring role, session authorization or search_path changes what later statements
    /// reach; anything else restores an ordinary default.</summary>
    private StaticVerdict Reset(int s, int e)
    {
        var name = NameText(s + 1, NameEnd(s + 1, e));
        if (name is "role" || (name is "session" && Is(s + 2, e, "authorization")))
        {
            return RoleSwitch(s, e);
        }

        return name is "search_path"
            ? PgVerdicts.Medium("Search path change", "Changes which schemas unqualified names resolve to, so later statements can reach other tables or functions.", Quote(s, e))
            : PgVerdicts.Low("Session setting", "Restores a setting to its default.");
    }

    /// <summary>A "SET name TO/= value" anywhere in [s, e) (SET, ALTER ROLE/DATABASE … SET) that changes an audit
    /// setting to anything but a restoring value, or the client encoding to a refused one; null otherwise.</summary>
    private StaticVerdict? AuditSet(int s, int e)
    {
        var set = Top(s, e, "set");
        while (set >= 0)
        {
            var name = set + 1;
            while (Is(name, e, "session") || Is(name, e, "local"))
            {
                name++;
            }

            var nameEnd = NameEnd(name, e);
            var setting = NameText(name, nameEnd);
            if (nameEnd > name && PgDangerousNames.IsAuditSetting(setting) && !RestoresDefault(nameEnd, e))
            {
                return PgVerdicts.High("Audit tampering", "Changes a logging, auditing or trigger setting, which can hide or enable unrecorded activity.", Quote(s, e), certain: false);
            }

            if (setting is "client_encoding" && EncodingSet(s, e, nameEnd) is { } encoding)
            {
                return encoding;
            }

            set = Top(set + 1, e, "set");
        }

        return null;
    }

    /// <summary>High when the value at <paramref name="i"/> (after an optional TO or =) names a refused client encoding.</summary>
    private StaticVerdict? EncodingSet(int s, int e, int i)
    {
        if (Is(i, e, "to") || (IsKind(i, e, PgTokenKind.Operator) && _t[i].Span(_src) is "="))
        {
            i++;
        }

        var value = Text(i, e) ?? Name(i);
        return PgClientEncodings.Unsafe(value) is { } encoding ? UnsafeEncoding(encoding, Quote(s, e)) : null;
    }

    /// <summary>The setting name at [start, end) as the server reads it: each part folded or decoded, joined by dots
    /// (pgaudit.log); empty when there is no name.</summary>
    private string NameText(int start, int end)
    {
        if (start >= end)
        {
            return "";
        }

        var name = Name(start);
        for (var i = After(start); i + 1 < end && IsKind(i, end, PgTokenKind.Dot); i = After(i + 1))
        {
            name += "." + Name(i + 1);
        }

        return name;
    }

    /// <summary>"TO DEFAULT", "= 'all'" (log_statement), "origin" (session_replication_role) or on/true put auditing back.</summary>
    private bool RestoresDefault(int i, int e)
    {
        if (Is(i, e, "to") || (IsKind(i, e, PgTokenKind.Operator) && _t[i].Span(_src) is "="))
        {
            i++;
        }

        if (i >= e)
        {
            return false;
        }

        var value = Text(i, e) ?? _t[i].Span(_src).ToString();
        foreach (var restoring in (ReadOnlySpan<string>)["default", "all", "origin", "on", "true"])
        {
            if (value.Equals(restoring, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>COPY { table [(cols)] | (query) } { TO | FROM } { 'file' | PROGRAM 'cmd' | STDIN | STDOUT }.</summary>
    private StaticVerdict Copy(int s, int e)
    {
        var i = s + 1;
        StaticVerdict? query = null;
        if (IsKind(i, e, PgTokenKind.OpenParen))
        {
            var close = Close(i, e);
            query = Statement(i + 1, close);
            i = close + 1;
        }
        else
        {
            i = NameEnd(i, e);
            if (IsKind(i, e, PgTokenKind.OpenParen))
            {
                i = Close(i, e) + 1;
            }
        }

        var direction = Is(i, e, "to") || Is(i, e, "from") ? i : -1;
        var target = direction + 1;
        StaticVerdict verdict;
        if (direction < 0)
        {
            verdict = Unrecognized(s, e);
        }
        else if (Is(target, e, "program"))
        {
            verdict = PgVerdicts.High("Code execution", "COPY PROGRAM runs an operating-system command on the database server.", Quote(s, e), certain: true);
        }
        else if (Is(target, e, "stdin") || Is(target, e, "stdout"))
        {
            verdict = PgVerdicts.Medium("Bulk copy", "Copies a whole table or query result in bulk to or from the client.", Quote(s, Math.Min(e, target + 1)));
        }
        else if (target < e && _t[target].IsText)
        {
            verdict = PgVerdicts.High("Server file access", "COPY to or from a file reads or writes the database server's file system.", Quote(s, Math.Min(e, target + 1)), certain: true);
        }
        else
        {
            verdict = Unrecognized(s, e);
        }

        return PgVerdicts.Worse(verdict, query);
    }

    /// <summary>EXPLAIN [ANALYZE] [VERBOSE] stmt, or EXPLAIN (option [value], …) stmt. Only ANALYZE executes.</summary>
    private StaticVerdict Explain(int s, int e)
    {
        var i = s + 1;
        var analyze = false;
        if (IsKind(i, e, PgTokenKind.OpenParen))
        {
            var close = Close(i, e);
            for (var j = i + 1; j < close; j++)
            {
                if ((_t[j].Is(_src, "analyze") || _t[j].Is(_src, "analyse")) && _t[j - 1].Kind is PgTokenKind.OpenParen or PgTokenKind.Comma)
                {
                    // "ANALYZE false", "ANALYZE off", "ANALYZE 0" turn it off.
                    analyze = !(Is(j + 1, close, "false") || Is(j + 1, close, "off")
                        || (IsKind(j + 1, close, PgTokenKind.Number) && _t[j + 1].Span(_src) is "0"));
                }
            }

            i = close + 1;
        }
        else
        {
            while (Is(i, e, "analyze") || Is(i, e, "analyse") || Is(i, e, "verbose"))
            {
                analyze |= !Is(i, e, "verbose");
                i++;
            }
        }

        if (!analyze)
        {
            return PgVerdicts.Low("Query plan", "EXPLAIN without ANALYZE only shows the plan; nothing is executed.");
        }

        var inner = Statement(i, e);
        return inner.Level == RiskLevel.Low
            ? PgVerdicts.Low("Query plan", "EXPLAIN ANALYZE executes a read-only statement to time it.")
            : inner with { Evidence = Cut("EXPLAIN ANALYZE runs " + inner.Evidence) };
    }

    private StaticVerdict OtherCommand(int s, int e, ReadOnlySpan<char> verb)
    {
        if ((verb is "commit" or "prepare" && Is(s + 1, e, "prepared")) || (verb is "prepare" && Is(s + 1, e, "transaction")))
        {
            return PgVerdicts.Medium("Prepared transaction", "Two-phase commit commands affect transactions outside this session.", Quote(s, e));
        }

        switch (verb)
        {
            case "show":
                return PgVerdicts.Low("Diagnostic read", "Shows a setting's value.");
            case "reset":
                return Reset(s, e);
            case "begin" or "start" or "commit" or "end" or "savepoint" or "release" or "abort":
                return PgVerdicts.Low("Transaction control", "Starts or ends a transaction or savepoint.");
            case "rollback":
                return Is(s + 1, e, "prepared")
                    ? PgVerdicts.Medium("Prepared transaction", "Finishes a two-phase transaction prepared by another session.", Quote(s, e))
                    : PgVerdicts.Low("Transaction control", "Rolls back a transaction or to a savepoint.");
            case "discard":
                // Each proxied client has an upstream session of its own, so DISCARD only clears the caller's own state;
                // Npgsql's connection pool sends DISCARD ALL on every reuse, which a Medium would refuse or hold.
                return PgVerdicts.Low("Session reset", "DISCARD clears this session's own temporary tables, prepared statements, plans or settings.");
            case "listen" or "unlisten" or "notify" or "deallocate" or "fetch" or "move" or "close" or "analyze" or "analyse":
                return PgVerdicts.Low("Session command", "A routine session or statistics command that changes no data.");
            case "vacuum":
                return AnyWord(s, e, "full")
                    ? PgVerdicts.Medium("Table rewrite", "VACUUM FULL rewrites the table under an exclusive lock.", Quote(s, e))
                    : PgVerdicts.Low("Routine maintenance", "Plain VACUUM reclaims space without blocking reads or writes.");
            case "lock":
                return PgVerdicts.Medium("Table lock", "Explicitly locks tables, which can block other sessions.", Quote(s, e));
            case "reindex" or "cluster" or "refresh" or "checkpoint":
                return PgVerdicts.Medium("Expensive maintenance", "Rebuilds or rewrites data under locks; long-running and blocking.", Quote(s, e));
            case "comment" or "security" or "import" or "reassign":
                return PgVerdicts.Medium("Schema change", "Changes object metadata, ownership or definitions.", Quote(s, e));
            case "call" or "execute":
                return PgVerdicts.Medium("Opaque execution", "Runs a procedure or prepared statement whose body is not visible here.", Quote(s, e));
            case "load":
                return PgVerdicts.High("Library load", "LOAD loads a shared library into the server process.", Quote(s, e), certain: false);
            case "prepare":
                {
                    // PREPARE name [(types)] AS statement: the statement will run on EXECUTE.
                    var @as = Top(s, e, "as");
                    return @as >= 0 ? PgVerdicts.Worse(PgVerdicts.Low("Prepared statement", "Prepares a statement."), Statement(@as + 1, e)) : Unrecognized(s, e);
                }

            case "declare":
                {
                    // DECLARE name [options] CURSOR [WITH HOLD] FOR query.
                    var cursor = Top(s, e, "cursor");
                    var @for = cursor >= 0 ? Top(cursor, e, "for") : -1;
                    return @for >= 0 ? PgVerdicts.Worse(PgVerdicts.Low("Cursor", "Declares a cursor."), Statement(@for + 1, e)) : Unrecognized(s, e);
                }

            default:
                return Unrecognized(s, e);
        }
    }

    /// <summary>The keyword anywhere in [s, e), inside parentheses too (VACUUM (FULL) …).</summary>
    private bool AnyWord(int s, int e, string keyword)
    {
        for (var i = s; i < e; i++)
        {
            if (_t[i].Is(_src, keyword))
            {
                return true;
            }
        }

        return false;
    }

    private StaticVerdict Unrecognized(int s, int e) =>
        PgVerdicts.Medium("Unrecognized statement", "The statement could not be classified, so it is treated as risky until reviewed.", Quote(s, e));
}
