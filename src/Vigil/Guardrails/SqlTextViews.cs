using System.Text;
using Vigil.Analysis.Static.Postgres;

namespace Vigil.Guardrails;

/// <summary>
/// A SQL command split by the PostgreSQL lexer (<see cref="PgLexer"/>, with the session's <see cref="PgLexerOptions"/>)
/// into the three texts deny words are looked for in:
/// <list type="bullet">
/// <item><see cref="Code"/>: every token that is not a string constant or comment, in order; quoted identifiers as the
/// server reads them (<c>"DROP"</c> → <c>DROP</c>, <c>U&amp;"d\0072op"</c> → <c>drop</c>); tokens that touch in the source
/// stay joined (<c>pg_catalog.pg_authid</c>), any white space or comment between two becomes one space.</item>
/// <item><see cref="Strings"/>: each string constant's value (escapes decoded: <c>E'dr\x6fp'</c> is <c>drop</c>;
/// <c>'…'</c> takes backslash escapes when <c>standard_conforming_strings</c> is off), separated by NUL.</item>
/// <item><see cref="Comments"/>: each comment's text, separated by NUL.</item>
/// </list>
/// A dollar-quoted constant right after <c>AS</c>, <c>DO</c> or <c>DO LANGUAGE name</c> is a function or DO body the
/// server will run: its contents are lexed the same way (up to <see cref="MaxBodyDepth"/> levels deep), so the code in it
/// counts as code. Other dollar-quoted constants are strings.
/// </summary>
internal sealed class SqlTextViews
{
    /// <summary>How deep function bodies inside function bodies are lexed; deeper ones count as strings.</summary>
    public const int MaxBodyDepth = 4;

    private const char Separator = '\0';

    private readonly StringBuilder _code = new();
    private readonly StringBuilder _strings = new();
    private readonly StringBuilder _comments = new();
    private int _lastCodeEnd = -1;

    /// <summary>The code text.</summary>
    public string Code { get; }

    /// <summary>The string constants' values.</summary>
    public string Strings { get; }

    /// <summary>The comments.</summary>
    public string Comments { get; }

    /// <summary>Lexes <paramref name="sql"/>.</summary>
    public SqlTextViews(string sql, PgLexerOptions options)
    {
        Lex(sql, 0, sql.Length, options, 0);
        Code = _code.ToString();
        Strings = _strings.ToString();
        Comments = _comments.ToString();
    }

    private void Lex(string sql, int start, int end, PgLexerOptions options, int depth)
    {
        var lexer = new PgLexer(sql, start, end, options);
        // The last three code tokens, to recognize "AS $$", "DO $$" and "DO LANGUAGE plpgsql $$".
        PgToken previous = default, beforePrevious = default;
        var hasPrevious = false;
        var hasBeforePrevious = false;
        while (lexer.Next(out var token))
        {
            if (token.IsComment)
            {
                Append(_comments, token.Span(sql));
                continue;
            }
            if (token.IsText || token.Kind is PgTokenKind.BitString or PgTokenKind.HexString)
            {
                if (token.Kind == PgTokenKind.DollarString && depth < MaxBodyDepth
                    && hasPrevious && (previous.Is(sql, "as") || previous.Is(sql, "do") || (hasBeforePrevious && beforePrevious.Is(sql, "language"))))
                {
                    var (bodyStart, bodyLength) = token.BodyRange(sql);
                    Lex(sql, bodyStart, bodyStart + bodyLength, options, depth + 1);
                }
                else
                {
                    Append(_strings, PgLiterals.Text(sql, token, options, UnicodeEscape(sql, token, ref lexer)));
                }
                continue;
            }
            var text = token.Kind == PgTokenKind.QuotedIdentifier
                ? PgLiterals.Name(sql, token, UnicodeEscape(sql, token, ref lexer))
                : token.Span(sql).ToString();
            if (_code.Length > 0 && token.Start != _lastCodeEnd)
            {
                _code.Append(' ');
            }
            _code.Append(text);
            _lastCodeEnd = token.End;
            (beforePrevious, hasBeforePrevious) = (previous, hasPrevious);
            (previous, hasPrevious) = (token, true);
        }
    }

    /// <summary>
    /// The escape character of a <c>U&amp;</c> token: the one-character constant of a following <c>UESCAPE '…'</c>,
    /// else a backslash. Looks ahead on a copy of the lexer, so the clause is still lexed (as code and a string) after.
    /// </summary>
    private static char UnicodeEscape(string sql, PgToken token, ref PgLexer lexer)
    {
        if (sql[token.Start] is not ('U' or 'u'))
        {
            return '\\';
        }
        var ahead = lexer;
        PgToken next;
        do
        {
            if (!ahead.Next(out next))
            {
                return '\\';
            }
        }
        while (next.IsComment);
        if (!next.Is(sql, "uescape"))
        {
            return '\\';
        }
        do
        {
            if (!ahead.Next(out next))
            {
                return '\\';
            }
        }
        while (next.IsComment);
        return next.Kind == PgTokenKind.String && next.Body(sql) is [var escape] ? escape : '\\';
    }

    private static void Append(StringBuilder view, ReadOnlySpan<char> text)
    {
        if (view.Length > 0)
        {
            view.Append(Separator);
        }
        view.Append(text);
    }

    private static void Append(StringBuilder view, string text) => Append(view, text.AsSpan());
}
