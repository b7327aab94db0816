namespace Vigil.Analysis.Static.Postgres;

/// <summary>Dangerous functions and credential catalogs named anywhere in a statement.</summary>
internal sealed partial class PgClassifier
{
    /// <summary>The worst function call or catalog reference in [s, e), or null. Strings and comments are separate
    /// tokens, so a name inside them never matches.</summary>
    private StaticVerdict? ScanNames(int s, int e)
    {
        StaticVerdict? worst = null;
        Span<char> buffer = stackalloc char[64];
        for (var i = s; i < e; i++)
        {
            var token = _t[i];
            if (token.Kind is not (PgTokenKind.Identifier or PgTokenKind.QuotedIdentifier))
            {
                continue;
            }

            // Compared as the server resolves it: "pg_authid" quoted is the same name, "PG_AUTHID" quoted a different
            // one, and U&"\0070g_authid" is pg_authid. Unquoted names fold into the buffer without allocating.
            var name = token.Kind == PgTokenKind.Identifier ? Lower(i, buffer) : Name(i).AsSpan();
            if (name.Length < 4 || !PgDangerousNames.MayBeDangerous(name))
            {
                continue;
            }

            var open = After(i);
            var call = IsKind(open, e, PgTokenKind.OpenParen);
            var found = call ? Function(name, i, open, e) : null;
            if (!call && PgDangerousNames.IsCredentialCatalog(name))
            {
                found = PgVerdicts.High("Credential access", "Reads a catalog holding password hashes or foreign-server credentials.", Quote(i, i + 1), certain: true);
            }

            worst = worst is null ? found : PgVerdicts.Worse(worst, found);
        }

        return worst;
    }

    /// <summary>The verdict on a call of <paramref name="name"/> (token <paramref name="i"/>, "(" at <paramref name="open"/>), or null.</summary>
    private StaticVerdict? Function(ReadOnlySpan<char> name, int i, int open, int e)
    {
        if (PgDangerousNames.IsHighFunction(name))
        {
            return PgVerdicts.High(FunctionTitle(name), FunctionExplanation(name), CallText(i, open, e), certain: true);
        }

        if (name.SequenceEqual("set_config"))
        {
            return SetConfig(i, open, e);
        }

        return PgDangerousNames.MediumFunction(name) is { } medium
            ? PgVerdicts.Medium(medium.Title, medium.Explanation, CallText(i, open, e))
            : null;
    }

    /// <summary>set_config(name, value, is_local): an audit setting or an unsafe client encoding is High; any other
    /// setting changes the session (or, with is_local false, the rest of it) and is Medium.</summary>
    private StaticVerdict SetConfig(int i, int open, int e)
    {
        var setting = Text(open + 1, e)?.Trim().ToLowerInvariant();
        if (setting is not null && PgDangerousNames.IsAuditSetting(setting))
        {
            return PgVerdicts.High("Audit tampering", "set_config changes a logging, auditing or trigger setting, which can hide later activity.", CallText(i, open, e), certain: false);
        }

        if (setting is "client_encoding" && UnsafeEncodingArgument(open, e) is { } encoding)
        {
            return UnsafeEncoding(encoding, CallText(i, open, e));
        }

        return PgVerdicts.Medium("Server interference", "set_config changes a server setting for this session or transaction.", CallText(i, open, e));
    }

    /// <summary>The second argument of set_config when it names a client-only encoding the gateway refuses.</summary>
    private string? UnsafeEncodingArgument(int open, int e)
    {
        var close = Close(open, e);
        var depth = 0;
        for (var j = open + 1; j < close; j++)
        {
            if (_t[j].Kind == PgTokenKind.OpenParen)
            {
                depth++;
            }
            else if (_t[j].Kind == PgTokenKind.CloseParen)
            {
                depth--;
            }
            else if (depth == 0 && _t[j].Kind == PgTokenKind.Comma)
            {
                return PgClientEncodings.Unsafe(Text(j + 1, close));
            }
        }

        return null;
    }

    /// <summary>Setting the session to a client-only encoding whose multibyte characters can hide quotes and backslashes.</summary>
    private static StaticVerdict UnsafeEncoding(string encoding, string evidence) =>
        PgVerdicts.High("Unsafe client encoding", $"Client encoding {encoding} can hide quotes and backslashes inside multibyte characters, so later statements could not be analyzed.", evidence, certain: true);

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
    private string CallText(int name, int open, int e) => Quote(name, Math.Min(e, Close(open, e) + 1));
}
