namespace Vigil.Analysis.Static.Postgres;

/// <summary>DROP, ALTER, CREATE, GRANT and role options (PostgreSQL docs "SQL Commands" reference pages).</summary>
internal sealed partial class PgClassifier
{
    private StaticVerdict Drop(int s, int e)
    {
        var cascade = Top(s, e, "cascade") >= 0;
        return PgVerdicts.High("Destructive DDL",
            cascade ? "DROP … CASCADE deletes the object and everything that depends on it; not reversible."
                    : "DROP deletes the object and its data; not reversible without a backup.",
            Quote(s, e), certain: true);
    }

    private StaticVerdict Alter(int s, int e)
    {
        var what = s + 1;
        if (Is(what, e, "system"))
        {
            return PgVerdicts.High("Server config change", "ALTER SYSTEM rewrites server configuration, for example to disable logging or auditing.", Quote(s, e), certain: true);
        }

        if (Is(what, e, "role") || Is(what, e, "user") || Is(what, e, "group"))
        {
            return RoleOptions(s, e, "Role change", "ALTER ROLE changes a role's attributes or settings.");
        }

        var audit = AuditSet(s, e);
        if (audit is not null)
        {
            return audit;
        }

        if (Is(what, e, "default") && Is(what + 1, e, "privileges"))
        {
            var grant = Top(s, e, "grant");
            return grant >= 0 ? PgVerdicts.Worse(Grant(grant, e), PgVerdicts.Medium("Privilege change", "Changes privileges granted on future objects.", Quote(s, e)))
                : PgVerdicts.Medium("Privilege change", "Changes privileges granted on future objects.", Quote(s, e));
        }

        if (Is(what, e, "table") || Is(what, e, "foreign"))
        {
            return AlterTable(s, e);
        }

        return PgVerdicts.Medium("Schema change", "Alters a database object's definition; may lock it or break dependents.", Quote(s, e));
    }

    /// <summary>ALTER TABLE actions: DROP [COLUMN] loses data; disabling triggers or row security weakens controls.</summary>
    private StaticVerdict AlterTable(int s, int e)
    {
        var verdict = PgVerdicts.Medium("Schema change", "Alters a table's definition; may take a lock or rewrite it.", Quote(s, e));
        for (var i = s + 2; i < e; i++)
        {
            if (_t[i].Is(_src, "drop"))
            {
                var next = i + 1;
                if (Is(next, e, "column") || (IsName(next, e) && !IsDropAttribute(next, e)))
                {
                    return PgVerdicts.High("Destructive DDL", "Dropping a column deletes its data in every row; not reversible.", Quote(s, e), certain: true);
                }
            }
            else if (_t[i].Is(_src, "disable") && (Is(i + 1, e, "trigger") || Is(i + 1, e, "row") || Is(i + 1, e, "rule")))
            {
                verdict = PgVerdicts.Worse(verdict, PgVerdicts.High("Controls disabled", "Disables triggers, rules or row-level security, which may enforce auditing or access control.", Quote(s, e), certain: false));
            }
        }

        return verdict;
    }

    /// <summary>DROP CONSTRAINT / DEFAULT / NOT NULL / IDENTITY / EXPRESSION remove no data.</summary>
    private bool IsDropAttribute(int i, int e) =>
        Is(i, e, "constraint") || Is(i, e, "default") || Is(i, e, "not") || Is(i, e, "identity")
        || Is(i, e, "expression") || Is(i, e, "attribute");

    private StaticVerdict Create(int s, int e)
    {
        var i = s + 1;
        while (Is(i, e, "or") || Is(i, e, "replace") || Is(i, e, "temp") || Is(i, e, "temporary") || Is(i, e, "unlogged")
            || Is(i, e, "global") || Is(i, e, "local") || Is(i, e, "unique") || Is(i, e, "trusted") || Is(i, e, "procedural")
            || Is(i, e, "default") || Is(i, e, "recursive") || Is(i, e, "constraint"))
        {
            i++;
        }

        if (Is(i, e, "role") || Is(i, e, "user") || Is(i, e, "group"))
        {
            return Is(i + 1, e, "mapping")
                ? PgVerdicts.Medium("Credential mapping", "Stores credentials for a foreign server.", Quote(s, e, maskStrings: true))
                : RoleOptions(s, e, "Role creation", "Creates a new role that can own objects or log in.");
        }

        if (Is(i, e, "function") || Is(i, e, "procedure") || Is(i, e, "language"))
        {
            var language = Is(i, e, "language") ? i + 1 : Top(i, e, "language") + 1;
            if (language > 0 && IsUntrustedLanguage(language, e))
            {
                return PgVerdicts.High("Untrusted code", "Defines code in an untrusted or C language, which runs with the server's operating-system access.", Quote(s, Math.Min(e, i + 2)), certain: false);
            }

            return PgVerdicts.Medium("Function definition", "Defines or replaces server-side code that later calls will run.", Quote(s, Math.Min(e, i + 2)));
        }

        if (Is(i, e, "extension"))
        {
            var name = Is(i + 1, e, "if") ? i + 4 : i + 1;
            if (IsRiskyExtension(name, e))
            {
                return PgVerdicts.High("Risky extension", "Installs an extension that reaches server files, other servers or untrusted code.", Quote(s, e), certain: false);
            }

            return PgVerdicts.Medium("Extension install", "Installs an extension, adding new objects and code to the database.", Quote(s, e));
        }

        if (Is(i, e, "index"))
        {
            return PgVerdicts.Medium("Index build", "Builds an index: long-running, and without CONCURRENTLY it blocks writes.", Quote(s, e));
        }

        if (Top(i, e, "as") >= 0 && (Is(i, e, "table") || Is(i, e, "materialized")))
        {
            return PgVerdicts.Medium("Table copy", "Creates an object and copies query results into it.", Quote(s, e));
        }

        return PgVerdicts.Medium("Schema change", "Creates a database object, changing the schema.", Quote(s, e));
    }

    /// <summary>C, internal, and the untrusted procedural languages (names ending in "u": plpython3u, plperlu, pltclu).</summary>
    private bool IsUntrustedLanguage(int i, int e)
    {
        if (i >= e)
        {
            return false;
        }

        var name = (_t[i].IsText ? Text(i, e) : Name(i)).AsSpan();
        return name.Equals("c", StringComparison.OrdinalIgnoreCase) || name.Equals("internal", StringComparison.OrdinalIgnoreCase)
            || (name.Length > 2 && name.StartsWith("pl", StringComparison.OrdinalIgnoreCase) && name[^1] is 'u' or 'U');
    }

    private bool IsRiskyExtension(int i, int e)
    {
        if (!IsName(i, e))
        {
            return false;
        }

        var name = Name(i).AsSpan();
        foreach (var risky in (ReadOnlySpan<string>)["dblink", "adminpack", "file_fdw", "postgres_fdw", "lo"])
        {
            if (name.Equals(risky, StringComparison.OrdinalIgnoreCase))
            {
                return true;
            }
        }

        return IsUntrustedLanguage(i, e);
    }

    /// <summary>CREATE/ALTER ROLE options: SUPERUSER, CREATEROLE, BYPASSRLS, REPLICATION or membership in a privileged
    /// role escalate privileges; PASSWORD sets a credential (persistence). Evidence masks the password.</summary>
    private StaticVerdict RoleOptions(int s, int e, string title, string explanation)
    {
        Span<char> buffer = stackalloc char[32];
        var password = false;
        for (var i = s + 2; i < e; i++)
        {
            var word = Lower(i, buffer);
            if (word is "superuser" or "createrole" or "bypassrls" or "replication" || (PgDangerousNames.IsPrivilegedRole(word) && i > s + 2))
            {
                return PgVerdicts.High("Privilege escalation", "Grants superuser-level attributes: the role can bypass every access control.", Quote(s, e, maskStrings: true), certain: true);
            }

            if (word is "password" && !Is(i + 1, e, "null"))
            {
                password = true;
            }
        }

        var audit = AuditSet(s, e);
        if (audit is not null)
        {
            return audit;
        }

        return password
            ? PgVerdicts.High("Credential change", "Sets a role's password, creating or changing a way to log in.", Quote(s, e, maskStrings: true), certain: false)
            : PgVerdicts.Medium(title, explanation, Quote(s, e, maskStrings: true));
    }

    /// <summary>GRANT: to PUBLIC, ALL PRIVILEGES, privileged roles or with GRANT/ADMIN OPTION is High.</summary>
    private StaticVerdict Grant(int s, int e)
    {
        var to = Top(s, e, "to");
        var on = Top(s, e, "on");
        for (var i = to + 1; to >= 0 && i < e; i++)
        {
            if (_t[i].Is(_src, "public"))
            {
                return PgVerdicts.High("Privilege escalation", "Grants privileges to PUBLIC: every current and future role receives them.", Quote(s, e), certain: true);
            }
        }

        if (Is(s + 1, e, "all"))
        {
            return PgVerdicts.High("Privilege escalation", "Grants ALL PRIVILEGES, including delete, truncate and trigger rights.", Quote(s, e), certain: true);
        }

        Span<char> buffer = stackalloc char[32];
        if (on < 0)
        {
            // Role membership: GRANT role TO user.
            for (var i = s + 1; i < (to >= 0 ? to : e); i++)
            {
                if (PgDangerousNames.IsPrivilegedRole(Lower(i, buffer)))
                {
                    return PgVerdicts.High("Privilege escalation", "Grants membership in a privileged role (superuser, server files or programs).", Quote(s, e), certain: true);
                }
            }
        }

        var with = to >= 0 ? Top(to, e, "with") : -1;
        if (with >= 0 && (Is(with + 1, e, "grant") || Is(with + 1, e, "admin")))
        {
            return PgVerdicts.High("Privilege delegation", "WITH GRANT/ADMIN OPTION lets the grantee pass the privilege on to others.", Quote(s, e), certain: false);
        }

        return PgVerdicts.Medium("Privilege grant", "Grants privileges to a role; review who receives what access.", Quote(s, e));
    }
}
