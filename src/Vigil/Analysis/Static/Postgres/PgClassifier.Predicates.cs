using System.Globalization;

namespace Vigil.Analysis.Static.Postgres;

/// <summary>WHERE-clause analysis: filters that select every row, and filters that force a full scan.</summary>
internal sealed partial class PgClassifier
{
    /// <summary>True when the predicate [a, b) is true for every row: <c>true</c>, <c>1</c>, <c>1=1</c>, <c>'a'='a'</c>,
    /// <c>x = x</c>, <c>NOT false</c>, any top-level <c>OR</c> arm that is, or <c>AND</c> arms that all are. A comparison of
    /// a column with itself is false only for NULLs, which is no real constraint.</summary>
    private bool IsTautology(int a, int b, int depth = 0)
    {
        if (depth > 32)
        {
            return false;
        }

        (a, b) = StripParens(a, b);
        if (a >= b)
        {
            return false;
        }

        if (SplitTop(a, b, "or", out var arms) && arms.Count > 1)
        {
            foreach (var (x, y) in arms)
            {
                if (IsTautology(x, y, depth + 1))
                {
                    return true;
                }
            }

            return false;
        }

        if (SplitTop(a, b, "and", out arms) && arms.Count > 1)
        {
            foreach (var (x, y) in arms)
            {
                if (!IsTautology(x, y, depth + 1))
                {
                    return false;
                }
            }

            return true;
        }

        if (Is(a, b, "not"))
        {
            return IsContradiction(a + 1, b, depth + 1);
        }

        if (b - a == 1)
        {
            return ConstantTruth(a) == true;
        }

        // "<constant> IS NOT NULL"
        if (b - a == 4 && _t[a].IsConstant && Is(a + 1, b, "is") && Is(a + 2, b, "not") && Is(a + 3, b, "null"))
        {
            return true;
        }

        return CompareSides(a, b) == true;
    }

    private bool IsContradiction(int a, int b, int depth)
    {
        (a, b) = StripParens(a, b);
        if (a >= b || depth > 32)
        {
            return false;
        }

        if (Is(a, b, "not"))
        {
            return IsTautology(a + 1, b, depth + 1);
        }

        return b - a == 1 ? ConstantTruth(a) == false : CompareSides(a, b) == false;
    }

    /// <summary>The truth of a single constant token used as a predicate, or null when it is not a constant.</summary>
    private bool? ConstantTruth(int i)
    {
        var token = _t[i];
        if (token.Is(_src, "true"))
        {
            return true;
        }

        if (token.Is(_src, "false"))
        {
            return false;
        }

        if (token.Kind == PgTokenKind.Number)
        {
            return double.TryParse(token.Span(_src), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value != 0 : null;
        }

        if (token.Kind == PgTokenKind.String)
        {
            // Boolean input syntax (§8.6): a quoted literal is coerced to boolean.
            var body = token.Body(_src);
            foreach (var yes in (ReadOnlySpan<string>)["t", "true", "y", "yes", "on", "1"])
            {
                if (body.Equals(yes, StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
            }

            foreach (var no in (ReadOnlySpan<string>)["f", "false", "n", "no", "off", "0"])
            {
                if (body.Equals(no, StringComparison.OrdinalIgnoreCase))
                {
                    return false;
                }
            }
        }

        return null;
    }

    /// <summary>"L op R" where both sides are identical token sequences, or both are numbers or both strings: the
    /// comparison's constant result, or null when it depends on the row.</summary>
    private bool? CompareSides(int a, int b)
    {
        var depth = 0;
        var op = -1;
        for (var i = a; i < b; i++)
        {
            var kind = _t[i].Kind;
            if (kind == PgTokenKind.OpenParen)
            {
                depth++;
            }
            else if (kind == PgTokenKind.CloseParen)
            {
                depth--;
            }
            else if (depth == 0 && kind == PgTokenKind.Operator && ComparisonKind(_t[i].Span(_src)) != 0)
            {
                if (op >= 0)
                {
                    return null;
                }

                op = i;
            }
        }

        if (op <= a || op >= b - 1)
        {
            return null;
        }

        var cmp = ComparisonKind(_t[op].Span(_src));
        int? order = null;
        if (SameTokens(a, op, op + 1, b))
        {
            order = 0;
        }
        else if (op - a == 1 && b - op == 2)
        {
            var left = _t[a];
            var right = _t[op + 1];
            if (left.Kind == PgTokenKind.Number && right.Kind == PgTokenKind.Number
                && double.TryParse(left.Span(_src), NumberStyles.Float, CultureInfo.InvariantCulture, out var l)
                && double.TryParse(right.Span(_src), NumberStyles.Float, CultureInfo.InvariantCulture, out var r))
            {
                order = l.CompareTo(r);
            }
            else if (left.Kind == PgTokenKind.String && right.Kind == PgTokenKind.String)
            {
                order = Math.Sign(left.Body(_src).SequenceCompareTo(right.Body(_src)));
            }
        }

        if (order is not { } o)
        {
            return null;
        }

        return cmp switch
        {
            1 => o == 0,
            2 => o != 0,
            3 => o < 0,
            4 => o <= 0,
            5 => o > 0,
            6 => o >= 0,
            _ => null,
        };
    }

    /// <summary>1 "=", 2 "&lt;&gt;"/"!=", 3 "&lt;", 4 "&lt;=", 5 "&gt;", 6 "&gt;=", 0 anything else.</summary>
    private static int ComparisonKind(ReadOnlySpan<char> op) => op switch
    {
        "=" => 1,
        "<>" or "!=" => 2,
        "<" => 3,
        "<=" => 4,
        ">" => 5,
        ">=" => 6,
        _ => 0,
    };

    private bool SameTokens(int a, int b, int c, int d)
    {
        if (b - a != d - c || b <= a)
        {
            return false;
        }

        for (var i = 0; i < b - a; i++)
        {
            var x = _t[a + i];
            var y = _t[c + i];
            if (x.Kind != y.Kind)
            {
                return false;
            }

            var equal = x.Kind == PgTokenKind.Identifier
                ? x.Span(_src).Equals(y.Span(_src), StringComparison.OrdinalIgnoreCase)
                : x.Span(_src).SequenceEqual(y.Span(_src));
            if (!equal)
            {
                return false;
            }
        }

        return true;
    }

    private (int, int) StripParens(int a, int b)
    {
        // Bounded: each layer costs a scan, and 32 layers of parentheses around a predicate is already absurd.
        for (var layers = 0; layers < 32 && b - a >= 2 && _t[a].Kind == PgTokenKind.OpenParen && Close(a, b) == b - 1; layers++)
        {
            a++;
            b--;
        }

        return (a, b);
    }

    /// <summary>Splits [a, b) at top-level <paramref name="keyword"/> (AND or OR); the AND of BETWEEN x AND y is not a
    /// split point. Returns false when the keyword does not occur.</summary>
    private bool SplitTop(int a, int b, string keyword, out List<(int, int)> arms)
    {
        arms = [];
        var depth = 0;
        var start = a;
        var pendingBetween = false;
        for (var i = a; i < b; i++)
        {
            var kind = _t[i].Kind;
            if (kind == PgTokenKind.OpenParen)
            {
                depth++;
            }
            else if (kind == PgTokenKind.CloseParen)
            {
                depth--;
            }
            else if (depth == 0 && _t[i].Is(_src, "between"))
            {
                pendingBetween = true;
            }
            else if (depth == 0 && _t[i].Is(_src, keyword))
            {
                if (keyword == "and" && pendingBetween)
                {
                    pendingBetween = false;
                    continue;
                }

                arms.Add((start, i));
                start = i + 1;
            }
        }

        if (arms.Count == 0)
        {
            return false;
        }

        arms.Add((start, b));
        return true;
    }

    /// <summary>The first pattern match in [a, b) that no index can serve: LIKE/ILIKE with a leading wildcard, or an
    /// unanchored regular expression. Returns its token range, or (-1, -1).</summary>
    private (int, int) FullScanPredicate(int a, int b)
    {
        for (var i = a; i < b - 1; i++)
        {
            var token = _t[i];
            var like = token.Is(_src, "like") || token.Is(_src, "ilike")
                || (token.Kind == PgTokenKind.Operator && token.Span(_src) is "~~" or "~~*" or "!~~" or "!~~*");
            var regex = token.Kind == PgTokenKind.Operator && token.Span(_src) is "~" or "~*";
            if (!like && !regex)
            {
                continue;
            }

            var pattern = _t[i + 1];
            if (!pattern.IsText)
            {
                continue;
            }

            var body = pattern.Body(_src);
            var fullScan = like ? body.Length > 0 && body[0] is '%' or '_' : body.Length == 0 || body[0] != '^';
            if (fullScan)
            {
                var from = i > a ? i - 1 : i;
                while (from > a && _t[from - 1].Kind is PgTokenKind.Operator or PgTokenKind.Dot && !_t[from - 1].Is(_src, "and"))
                {
                    from = Math.Max(a, from - 2);
                }

                return (from, i + 2);
            }
        }

        return (-1, -1);
    }
}
