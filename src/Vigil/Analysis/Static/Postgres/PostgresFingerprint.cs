using System.Globalization;
using System.Text;

namespace Vigil.Analysis.Static.Postgres;

/// <summary>
/// The normalized text of a statement, used as a verdict-cache key, after pg_stat_statements' query normalization
/// (PostgreSQL docs F.32): comments dropped, whitespace collapsed to one canonical spacing, unquoted words lower-cased
/// (PostgreSQL folds them, so <c>Users</c> and <c>users</c> are the same name), quoted identifiers kept verbatim, and every
/// constant (<c>'…'</c>, <c>E'…'</c>, <c>U&amp;'…'</c>, <c>B'…'</c>, <c>X'…'</c>, <c>$$…$$</c>, numbers) replaced by
/// <c>$1</c>, <c>$2</c>, … in order, numbered after the highest parameter already in the text. A trailing <c>;</c> is
/// dropped.
/// </summary>
/// <remarks>
/// Statements that differ only in constants share a fingerprint even when the constants change the risk
/// (<c>WHERE 1=1</c> vs <c>WHERE 1=2</c>, or two DO bodies). A cached verdict must therefore be combined with
/// <see cref="PostgresAnalyzer.Analyze"/> of the actual text (the static verdict is the floor), never used alone.
/// </remarks>
public static class PostgresFingerprint
{
    /// <summary>Computes the fingerprint of <paramref name="sql"/>; empty for empty or comment-only input.</summary>
    /// <param name="sql">The statement text.</param>
    /// <param name="options">How the session lexes strings; null is <see cref="PgLexerOptions.Standard"/>. The same
    /// text can be different statements under different settings, so the fingerprint follows them.</param>
    public static string Compute(string sql, PgLexerOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(sql);
        var next = sql.Contains('$') ? HighestParameter(sql, options) : 0;
        var text = new StringBuilder(sql.Length + 16);
        var lexer = new PgLexer(sql, options);
        var previous = PgTokenKind.Unknown;
        var pendingSemicolons = 0;
        var any = false;
        while (lexer.Next(out var token))
        {
            if (token.IsComment)
            {
                continue;
            }

            if (token.Kind == PgTokenKind.Semicolon)
            {
                // Emitted only if more tokens follow: "select 1;" and "select 1" are the same statement.
                pendingSemicolons++;
                continue;
            }

            for (; pendingSemicolons > 0; pendingSemicolons--)
            {
                if (any)
                {
                    text.Append(';');
                    previous = PgTokenKind.Semicolon;
                }
            }

            if (any && NeedsSpace(previous, token.Kind))
            {
                text.Append(' ');
            }

            var span = token.Span(sql);
            if (token.IsConstant)
            {
                text.Append('$').Append(++next);
            }
            else if (token.Kind == PgTokenKind.Identifier)
            {
                foreach (var c in span)
                {
                    // PostgreSQL down-cases ASCII letters only in unquoted identifiers.
                    text.Append(char.IsAsciiLetterUpper(c) ? (char)(c | 0x20) : c);
                }
            }
            else
            {
                text.Append(span);
            }

            previous = token.Kind;
            any = true;
        }

        return text.ToString();
    }

    /// <summary>Every token is separated by one space except around punctuation that never merges with a neighbour,
    /// so token boundaries (and thus structure) are preserved exactly.</summary>
    private static bool NeedsSpace(PgTokenKind previous, PgTokenKind current) =>
        !(previous is PgTokenKind.OpenParen or PgTokenKind.OpenBracket or PgTokenKind.Dot
          || current is PgTokenKind.CloseParen or PgTokenKind.CloseBracket or PgTokenKind.Comma or PgTokenKind.Dot
              or PgTokenKind.OpenBracket
          || (current == PgTokenKind.OpenParen && previous is PgTokenKind.Identifier or PgTokenKind.QuotedIdentifier));

    private static int HighestParameter(string sql, PgLexerOptions? options)
    {
        var highest = 0;
        var lexer = new PgLexer(sql, options);
        while (lexer.Next(out var token))
        {
            if (token.Kind == PgTokenKind.Parameter
                && int.TryParse(token.Span(sql)[1..], NumberStyles.None, CultureInfo.InvariantCulture, out var n))
            {
                highest = Math.Max(highest, n);
            }
        }

        return highest;
    }
}
