using System.Collections.Frozen;
using System.Globalization;

namespace Vigil.Analysis.Static.Postgres;

/// <summary>SELECT, VALUES and TABLE: scoped, broad or full-scan reads (PostgreSQL docs "SELECT" reference).</summary>
internal sealed partial class PgClassifier
{
    /// <summary>A LIMIT above this is treated as no limit: it bounds nothing a reviewer would call scoped.</summary>
    private const long MaxScopedLimit = 10_000;

    /// <summary>Aggregates that return one summary value; array_agg, string_agg and json_agg are left out on purpose,
    /// because they return every row's value in one.</summary>
    private static readonly FrozenSet<string> SummaryAggregates = FrozenSet.Create(StringComparer.Ordinal,
        "count", "sum", "avg", "min", "max", "bool_and", "bool_or", "every", "bit_and", "bit_or", "stddev",
        "stddev_pop", "stddev_samp", "variance", "var_pop", "var_samp", "corr", "covar_pop", "covar_samp",
        "percentile_cont", "percentile_disc", "mode", "approx_count_distinct");

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> _summaryAggregates =
        SummaryAggregates.GetAlternateLookup<ReadOnlySpan<char>>();

    private static readonly string[] ClauseEnds =
        ["where", "group", "having", "window", "order", "limit", "offset", "fetch", "for", "union", "intersect", "except", "returning"];

    private StaticVerdict Read(int s, int e)
    {
        if (Is(s, e, "values"))
        {
            return PgVerdicts.Low("Constant values", "VALUES lists constants; no table is read.");
        }

        if (Is(s, e, "table"))
        {
            var name = s + 1;
            return IsCatalog(name, NameEnd(name, e), e)
                ? PgVerdicts.Low("Catalog read", "Reads a system catalog.")
                : PgVerdicts.Medium("Unbounded read", "Returns every row of the table, with no filter or limit.", $"TABLE {Name(name, e)} (no WHERE or LIMIT)");
        }

        // Set operations: each arm is a SELECT; a LIMIT after the last arm bounds them all.
        StaticVerdict? verdict = null;
        var limited = HasScopingLimit(s, e);
        var armStart = s;
        var depth = 0;
        for (var i = s; i <= e; i++)
        {
            if (i < e)
            {
                var kind = _t[i].Kind;
                if (kind == PgTokenKind.OpenParen)
                {
                    depth++;
                    continue;
                }

                if (kind == PgTokenKind.CloseParen)
                {
                    depth = Math.Max(0, depth - 1);
                    continue;
                }

                if (depth > 0 || !(_t[i].Is(_src, "union") || _t[i].Is(_src, "intersect") || _t[i].Is(_src, "except")))
                {
                    continue;
                }
            }

            if (i > armStart)
            {
                var arm = _t[armStart].Kind == PgTokenKind.OpenParen ? Parenthesized(armStart, i) : ReadArm(armStart, i, limited);
                verdict = verdict is null ? arm : PgVerdicts.Worse(verdict, arm);
            }

            armStart = i + 1;
            while (Is(armStart, e, "all") || Is(armStart, e, "distinct"))
            {
                armStart++;
            }
        }

        return verdict ?? Unrecognized(s, e);
    }

    /// <summary>One SELECT: [s, e) starting at SELECT (or PERFORM in PL/pgSQL).</summary>
    private StaticVerdict ReadArm(int s, int e, bool limited)
    {
        var from = Top(s, e, "from");
        while (from > 0 && Is(from - 1, e, "distinct"))
        {
            // "a IS DISTINCT FROM b" in the select list is not the FROM clause.
            from = Top(from + 1, e, "from");
        }

        var listEnd = from >= 0 ? from : ClauseEnd(s + 1, e);
        var into = Top(s, listEnd, "into");
        if (into >= 0 && !Is(into + 1, e, "strict"))
        {
            return PgVerdicts.Medium("Table creation", "SELECT INTO creates a new table and copies rows into it.", Quote(s, Math.Min(e, into + 2)));
        }

        if (from < 0)
        {
            return PgVerdicts.Low("Read-only query", "A query that reads no table, such as a diagnostic function.");
        }

        var fromEnd = ClauseEnd(from + 1, e);
        var where = Top(from, e, "where");
        var whereEnd = where >= 0 ? ClauseEnd(where + 1, e) : -1;
        var forLock = Top(from, e, "for");
        limited |= HasScopingLimit(s, e);

        if (where >= 0 && IsTautology(where + 1, whereEnd))
        {
            where = -1;
        }

        if (where >= 0 && !limited)
        {
            var (a, b) = FullScanPredicate(where + 1, whereEnd);
            if (a >= 0)
            {
                return PgVerdicts.Medium("Full table scan", "A leading-wildcard or unanchored pattern match cannot use an index and scans the whole table.", Quote(a, b));
            }
        }

        if (IsLockingClause(forLock, e))
        {
            // A filtered or limited row lock is how applications read-then-update one row (the labeled corpus rates
            // it low); without a filter it locks the whole table's rows until the transaction ends (rubric: Medium).
            return where >= 0 || limited
                ? PgVerdicts.Low("Scoped row lock", "FOR UPDATE or FOR SHARE on the rows a filter or limit selects, until the transaction ends.")
                : PgVerdicts.Medium("Locks all rows", "FOR UPDATE or FOR SHARE without a filter locks every row read.", $"{Quote(forLock, e)} without WHERE");
        }

        if (where >= 0 || limited)
        {
            return PgVerdicts.Low("Scoped read", "A read-only query with a filter, limit or aggregate.");
        }

        return UnboundedRead(s, listEnd, from, fromEnd, e);
    }

    /// <summary>A read with no WHERE and no LIMIT: Medium when it returns all rows of a table with *, or sensitive
    /// tables or columns; Low for catalogs, summary aggregates and narrow reads.</summary>
    private StaticVerdict UnboundedRead(int s, int listEnd, int from, int fromEnd, int armEnd)
    {
        var e = fromEnd;
        var hasTable = false;
        var sensitiveTable = -1;
        StaticVerdict? subquery = null;
        var expectSource = true;
        for (var i = from + 1; i < e; i++)
        {
            var token = _t[i];
            if (token.Kind == PgTokenKind.Comma || token.Is(_src, "join"))
            {
                expectSource = true;
                continue;
            }

            if (!expectSource || token.Is(_src, "only") || token.Is(_src, "lateral"))
            {
                if (token.Kind == PgTokenKind.OpenParen)
                {
                    i = Close(i, e);
                }

                continue;
            }

            expectSource = false;
            if (token.Kind == PgTokenKind.OpenParen)
            {
                var close = Close(i, e);
                subquery = PgVerdicts.Worse(subquery ?? PgVerdicts.Empty, Statement(i + 1, close));
                i = close;
                continue;
            }

            var nameEnd = NameEnd(i, e);
            if (nameEnd == i || IsKind(nameEnd, e, PgTokenKind.OpenParen))
            {
                // A set-returning function such as generate_series(1, 10), not a table.
                continue;
            }

            if (!IsCatalog(i, nameEnd, e))
            {
                hasTable = true;
                var last = _t[nameEnd - 1];
                if (sensitiveTable < 0 && PgSensitiveNames.IsSensitiveTable(last.Kind == PgTokenKind.QuotedIdentifier ? Name(nameEnd - 1) : last.Span(_src)))
                {
                    sensitiveTable = i;
                }
            }

            i = nameEnd - 1;
        }

        var listStart = s + 1;
        if (Is(listStart, listEnd, "all"))
        {
            listStart++;
        }
        else if (Is(listStart, listEnd, "distinct"))
        {
            listStart++;
            if (Is(listStart, listEnd, "on") && IsKind(listStart + 1, listEnd, PgTokenKind.OpenParen))
            {
                listStart = Close(listStart + 1, listEnd) + 1;
            }
        }

        if (!hasTable)
        {
            return subquery is { Level: > RiskLevel.Low }
                ? subquery
                : PgVerdicts.Low("Catalog read", "Reads system catalogs or functions only.");
        }

        var groupBy = Top(from, armEnd, "group") >= 0;
        if (!groupBy && IsSummaryOnly(listStart, listEnd))
        {
            return PgVerdicts.Low("Aggregate read", "Returns summary values such as counts, not individual rows.");
        }

        var star = StarIn(listStart, listEnd);
        var sensitiveColumn = SensitiveColumnIn(listStart, listEnd);
        var sources = Quote(from + 1, fromEnd);
        if (sensitiveTable >= 0 || sensitiveColumn >= 0)
        {
            var what = sensitiveColumn >= 0 ? Quote(sensitiveColumn, sensitiveColumn + 1) + " from " + sources : Quote(s, listEnd) + " FROM " + sources;
            return PgVerdicts.Medium("Broad sensitive read", "Returns every row of data that looks personal or secret, with no filter or limit.", $"{Cut(what)} (no WHERE or LIMIT)");
        }

        if (star)
        {
            return PgVerdicts.Medium("Unbounded read", "SELECT * with no filter or limit returns every row of the table.", $"SELECT * FROM {Cut(sources)} (no WHERE or LIMIT)");
        }

        return subquery is { Level: > RiskLevel.Low }
            ? subquery
            : PgVerdicts.Low("Read-only query", "Reads a few non-sensitive columns; no filter, but nothing looks sensitive.");
    }

    /// <summary>FOR UPDATE, FOR NO KEY UPDATE, FOR SHARE or FOR KEY SHARE at <paramref name="i"/> (the SELECT locking clause).</summary>
    private bool IsLockingClause(int i, int e) =>
        i >= 0 && (Is(i + 1, e, "update") || Is(i + 1, e, "share") || (Is(i + 1, e, "no") && Is(i + 2, e, "key"))
            || (Is(i + 1, e, "key") && Is(i + 2, e, "share")));

    private static string Cut(string text) => text.Length > MaxEvidenceChars ? string.Concat(text.AsSpan(0, MaxEvidenceChars), "…") : text;

    /// <summary>Index of the first top-level clause keyword after a list, or <paramref name="e"/>.</summary>
    private int ClauseEnd(int from, int e) => TopAny(from, e, ClauseEnds) is var i and >= 0 ? i : e;

    /// <summary>A top-level LIMIT n (n ≤ <see cref="MaxScopedLimit"/>) or FETCH FIRST n ROWS in [s, e).</summary>
    private bool HasScopingLimit(int s, int e)
    {
        var limit = Top(s, e, "limit");
        if (limit >= 0)
        {
            return IsSmallNumber(limit + 1, e) || IsKind(limit + 1, e, PgTokenKind.Parameter);
        }

        var fetch = Top(s, e, "fetch");
        if (fetch >= 0 && (Is(fetch + 1, e, "first") || Is(fetch + 1, e, "next")))
        {
            // FETCH FIRST ROW ONLY means one row.
            return Is(fetch + 2, e, "row") || Is(fetch + 2, e, "rows") || IsSmallNumber(fetch + 2, e) || IsKind(fetch + 2, e, PgTokenKind.Parameter);
        }

        return false;
    }

    private bool IsSmallNumber(int i, int e) =>
        IsKind(i, e, PgTokenKind.Number)
        && long.TryParse(_t[i].Span(_src), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n <= MaxScopedLimit;

    /// <summary>pg_* relations, and anything in the pg_catalog or information_schema schemas.</summary>
    private bool IsCatalog(int start, int end, int e)
    {
        for (var i = start; i < end && i < e; i++)
        {
            if (_t[i].Is(_src, "information_schema") || _t[i].Is(_src, "pg_catalog"))
            {
                return true;
            }
        }

        return end > start && end <= e && _t[end - 1].Kind == PgTokenKind.Identifier
            && _t[end - 1].Span(_src).StartsWith("pg_", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>Every select-list item starts with a summary aggregate call: count(*), max(x)…</summary>
    private bool IsSummaryOnly(int a, int b)
    {
        if (a >= b)
        {
            return false;
        }

        Span<char> buffer = stackalloc char[32];
        var itemStart = true;
        var depth = 0;
        for (var i = a; i < b; i++)
        {
            var kind = _t[i].Kind;
            if (itemStart)
            {
                if (!_summaryAggregates.Contains(Lower(i, buffer)) || !IsKind(i + 1, b, PgTokenKind.OpenParen))
                {
                    return false;
                }

                itemStart = false;
            }

            if (kind == PgTokenKind.OpenParen)
            {
                depth++;
            }
            else if (kind == PgTokenKind.CloseParen)
            {
                depth--;
            }
            else if (kind == PgTokenKind.Comma && depth == 0)
            {
                itemStart = true;
            }
        }

        return true;
    }

    /// <summary>A top-level <c>*</c> or <c>t.*</c> in the select list.</summary>
    private bool StarIn(int a, int b)
    {
        var depth = 0;
        for (var i = a; i < b; i++)
        {
            var token = _t[i];
            if (token.Kind == PgTokenKind.OpenParen)
            {
                depth++;
            }
            else if (token.Kind == PgTokenKind.CloseParen)
            {
                depth--;
            }
            else if (depth == 0 && token.Kind == PgTokenKind.Operator && token.Length == 1 && _src[token.Start] == '*'
                && (i == a || _t[i - 1].Kind is PgTokenKind.Comma or PgTokenKind.Dot))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The first column reference in the select list whose name looks sensitive, or -1.</summary>
    private int SensitiveColumnIn(int a, int b)
    {
        for (var i = a; i < b; i++)
        {
            var token = _t[i];
            if (token.Kind is not (PgTokenKind.Identifier or PgTokenKind.QuotedIdentifier) || IsKind(i + 1, b, PgTokenKind.OpenParen))
            {
                continue;
            }

            var name = token.Kind == PgTokenKind.QuotedIdentifier ? Name(i) : token.Span(_src);
            if (PgSensitiveNames.IsSensitiveColumn(name))
            {
                return i;
            }
        }

        return -1;
    }
}
