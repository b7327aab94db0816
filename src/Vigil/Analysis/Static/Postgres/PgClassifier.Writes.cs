namespace Vigil.Analysis.Static.Postgres;

/// <summary>INSERT, UPDATE, DELETE and WITH (whose CTEs may themselves modify data).</summary>
internal sealed partial class PgClassifier
{
    /// <summary>WITH [RECURSIVE] name [(cols)] AS [[NOT] MATERIALIZED] (body) [, …] main: every CTE body and the main
    /// statement are classified; DML in a CTE runs even if the main statement only reads.</summary>
    private StaticVerdict With(int s, int e)
    {
        var verdict = PgVerdicts.Low("Read-only query", "A read-only query.");
        var i = s + 1;
        if (Is(i, e, "recursive"))
        {
            i++;
        }

        while (i < e)
        {
            // name [(columns)] AS
            i = NameEnd(i, e);
            if (IsKind(i, e, PgTokenKind.OpenParen))
            {
                i = Close(i, e) + 1;
            }

            if (!Is(i, e, "as"))
            {
                return PgVerdicts.Worse(verdict, Unrecognized(s, e));
            }

            i++;
            while (Is(i, e, "not") || Is(i, e, "materialized"))
            {
                i++;
            }

            if (!IsKind(i, e, PgTokenKind.OpenParen))
            {
                return PgVerdicts.Worse(verdict, Unrecognized(s, e));
            }

            var close = Close(i, e);
            verdict = PgVerdicts.Worse(verdict, Statement(i + 1, close));
            i = close + 1;

            // SEARCH … SET …, CYCLE … USING … clauses of recursive CTEs run up to the next "," or the main statement.
            while (i < e && _t[i].Kind != PgTokenKind.Comma && !IsMainVerb(i, e))
            {
                i = _t[i].Kind == PgTokenKind.OpenParen ? Close(i, e) + 1 : i + 1;
            }

            if (IsKind(i, e, PgTokenKind.Comma))
            {
                i++;
                continue;
            }

            break;
        }

        return i < e ? PgVerdicts.Worse(verdict, Statement(i, e)) : verdict;
    }

    private bool IsMainVerb(int i, int e) =>
        Is(i, e, "select") || Is(i, e, "insert") || Is(i, e, "update") || Is(i, e, "delete") || Is(i, e, "merge")
        || Is(i, e, "values") || Is(i, e, "table") || IsKind(i, e, PgTokenKind.OpenParen);

    private StaticVerdict Insert(int s, int e)
    {
        var target = Is(s + 1, e, "into") ? s + 2 : s + 1;
        return PgVerdicts.Medium("Data write", "INSERT adds rows; reversible, but it changes data.", $"INSERT INTO {Name(target, e)}");
    }

    /// <summary>UPDATE [ONLY] table [*] [[AS] alias] SET … [FROM …] [WHERE …] [RETURNING …].</summary>
    private StaticVerdict Update(int s, int e)
    {
        var target = Is(s + 1, e, "only") ? s + 2 : s + 1;
        return FilteredWrite(s, e, target, "UPDATE", "UPDATE", "Mass update", "Scoped update", "rewrites");
    }

    /// <summary>DELETE FROM [ONLY] table [*] [[AS] alias] [USING …] [WHERE …] [RETURNING …].</summary>
    private StaticVerdict Delete(int s, int e)
    {
        var target = Is(s + 1, e, "from") ? s + 2 : s + 1;
        if (Is(target, e, "only"))
        {
            target++;
        }

        return FilteredWrite(s, e, target, "DELETE FROM", "DELETE", "Mass delete", "Scoped delete", "removes");
    }

    private StaticVerdict FilteredWrite(int s, int e, int target, string verb, string shortVerb, string massTitle, string scopedTitle, string action)
    {
        var table = Name(target, e);
        var where = Top(target, e, "where");
        if (where < 0)
        {
            return PgVerdicts.High(massTitle, $"{shortVerb} without a WHERE clause {action} every row of the table.", $"{verb} {table} without WHERE", certain: true);
        }

        var returning = Top(where, e, "returning");
        var whereEnd = returning >= 0 ? returning : e;
        if (Is(where + 1, e, "current") && Is(where + 2, e, "of"))
        {
            return PgVerdicts.Medium(scopedTitle, "Changes the row under a cursor.", Quote(s, e));
        }

        if (IsTautology(where + 1, whereEnd))
        {
            return PgVerdicts.High(massTitle, $"The WHERE clause is always true, so this {action} every row of the table.",
                $"{verb} {table} WHERE {Quote(where + 1, whereEnd)} (always true)", certain: true);
        }

        return PgVerdicts.Medium(scopedTitle, $"A filtered {shortVerb}; it {action} only matching rows but changes data.", $"{verb} {table} WHERE …");
    }
}
