namespace Vigil.Analysis.Static.Postgres;

/// <summary>Dangerous functions and credential catalogs named anywhere in a statement.</summary>
internal sealed partial class PgClassifier
{
    /// <summary>The worst function call or catalog reference in [s, e), or null. Strings and comments are separate
    /// tokens, so a name inside them never matches.</summary>
    private StaticVerdict? ScanNames(int s, int e)
    {
        StaticVerdict? worst = null;
        Span<char> buffer = stackalloc char[40];
        for (var i = s; i < e; i++)
        {
            var token = _t[i];
            scoped ReadOnlySpan<char> name;
            if (token.Kind == PgTokenKind.Identifier)
            {
                name = Lower(i, buffer);
            }
            else if (token.Kind == PgTokenKind.QuotedIdentifier)
            {
                // "pg_authid" quoted is the same name; "PG_AUTHID" quoted is a different one.
                name = token.Body(_src);
            }
            else
            {
                continue;
            }

            if (name.Length < 4 || !(name.StartsWith("pg_") || name.StartsWith("lo_") || name.StartsWith("db")
                || name.StartsWith("query_") || name.StartsWith("cursor_") || name.StartsWith("set_")))
            {
                continue;
            }

            var call = IsKind(i + 1, e, PgTokenKind.OpenParen);
            StaticVerdict? found = null;
            if (call && PgDangerousNames.IsHighFunction(name))
            {
                found = PgVerdicts.High(FunctionTitle(name), FunctionExplanation(name), CallText(i, e), certain: true);
            }
            else if (call && PgDangerousNames.IsMediumFunction(name))
            {
                found = name.SequenceEqual("set_config") && SetsAuditSetting(i + 2, e)
                    ? PgVerdicts.High("Audit tampering", "set_config changes a logging, auditing or trigger setting, which can hide later activity.", CallText(i, e), certain: false)
                    : PgVerdicts.Medium("Server interference", "The function affects other sessions, server configuration or settings.", CallText(i, e));
            }
            else if (!call && PgDangerousNames.IsCredentialCatalog(name))
            {
                found = PgVerdicts.High("Credential access", "Reads a catalog holding password hashes or foreign-server credentials.", Quote(i, i + 1), certain: true);
            }

            worst = worst is null ? found : PgVerdicts.Worse(worst, found);
        }

        return worst;
    }

    private static string FunctionTitle(ReadOnlySpan<char> name) =>
        name.StartsWith("pg_terminate") ? "Session termination"
        : name.StartsWith("dblink") ? "Remote SQL execution"
        : name.StartsWith("query_") || name.StartsWith("cursor_") ? "Dynamic SQL"
        : name.StartsWith("pg_promote") || name.StartsWith("pg_drop") ? "Server state change"
        : "Server file access";

    private static string FunctionExplanation(ReadOnlySpan<char> name) =>
        name.StartsWith("pg_terminate") ? "Terminates other database sessions, aborting their work."
        : name.StartsWith("dblink") ? "dblink runs SQL on another server, which can exfiltrate data or bypass this gateway."
        : name.StartsWith("query_") || name.StartsWith("cursor_") ? "Runs a query given as a string, whose contents are not analyzed."
        : name.StartsWith("pg_promote") || name.StartsWith("pg_drop") ? "Changes replication or server state irreversibly."
        : "Reads or writes files on the database server's file system.";

    /// <summary>"name(args)" for evidence.</summary>
    private string CallText(int name, int e) => Quote(name, Math.Min(e, Close(name + 1, e) + 1));

    /// <summary>True when the first argument of set_config, at <paramref name="i"/>, is a literal naming an audit setting.</summary>
    private bool SetsAuditSetting(int i, int e)
    {
        if (i >= e || !_t[i].IsText)
        {
            return false;
        }

        Span<char> buffer = stackalloc char[64];
        var body = _t[i].Body(_src);
        if (body.Length > buffer.Length)
        {
            return false;
        }

        var length = body.ToLowerInvariant(buffer);
        return PgDangerousNames.IsAuditSetting(buffer[..length]);
    }
}
