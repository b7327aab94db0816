namespace Vigil.Analysis.Static.Postgres;

/// <summary>
/// A hand-written PostgreSQL lexer following PostgreSQL docs §4.1 "Lexical Structure" (and the rules of
/// <c>src/backend/parser/scan.l</c> for where operators end). It walks a string (or a range of one) and yields
/// <see cref="PgToken"/>s that point into it, so lexing allocates nothing.
/// </summary>
/// <remarks>
/// Never throws: a string, quoted identifier, dollar quote or block comment without its closing delimiter runs to
/// the end of the input and is marked <see cref="PgToken.Terminated"/> = false; a character PostgreSQL would reject
/// becomes a one-character <see cref="PgTokenKind.Unknown"/> token. Comments are returned as tokens; callers skip them.
/// </remarks>
public struct PgLexer
{
    private readonly string _text;
    private readonly int _end;
    /// <summary>standard_conforming_strings = off: '…' and N'…' take backslash escapes like E'…'.</summary>
    private readonly bool _plainBackslash;
    private int _pos;

    /// <summary>Lexes all of <paramref name="text"/> with <paramref name="options"/> (null: <see cref="PgLexerOptions.Standard"/>).</summary>
    public PgLexer(string text, PgLexerOptions? options = null)
        : this(text, 0, text.Length, options)
    {
    }

    /// <summary>Lexes <paramref name="text"/> from <paramref name="start"/> up to (not including) <paramref name="end"/>;
    /// offsets in the tokens are offsets in <paramref name="text"/>. Out-of-range bounds are clamped.</summary>
    public PgLexer(string text, int start, int end, PgLexerOptions? options = null)
    {
        _text = text;
        _end = Math.Clamp(end, 0, text.Length);
        _pos = Math.Clamp(start, 0, _end);
        _plainBackslash = options is { StandardConformingStrings: false };
    }

    /// <summary>Lexes every token of <paramref name="text"/> into a list (tests and tools; the analyzer streams).</summary>
    /// <param name="text">SQL text.</param>
    /// <param name="includeComments">Whether comment tokens are kept.</param>
    /// <param name="options">The session's lexical settings; null is <see cref="PgLexerOptions.Standard"/>.</param>
    public static List<PgToken> Tokenize(string text, bool includeComments = false, PgLexerOptions? options = null)
    {
        var tokens = new List<PgToken>();
        var lexer = new PgLexer(text, options);
        while (lexer.Next(out var token))
        {
            if (includeComments || !token.IsComment)
            {
                tokens.Add(token);
            }
        }

        return tokens;
    }

    /// <summary>Reads the next token. Returns false at the end of the input.</summary>
    public bool Next(out PgToken token)
    {
        var text = _text;
        var end = _end;
        var pos = _pos;
        while (pos < end && IsSpace(text[pos]))
        {
            pos++;
        }

        if (pos >= end)
        {
            _pos = end;
            token = default;
            return false;
        }

        var c = text[pos];
        var next = pos + 1 < end ? text[pos + 1] : '\0';
        token = c switch
        {
            '-' when next == '-' => LineComment(pos),
            '/' when next == '*' => BlockComment(pos),
            '\'' => Quoted(PgTokenKind.String, pos, pos, '\'', backslash: _plainBackslash),
            '"' => Quoted(PgTokenKind.QuotedIdentifier, pos, pos, '"', backslash: false),
            'E' or 'e' when next == '\'' => Quoted(PgTokenKind.EscapeString, pos, pos + 1, '\'', backslash: true),
            'B' or 'b' when next == '\'' => Quoted(PgTokenKind.BitString, pos, pos + 1, '\'', backslash: false),
            'X' or 'x' when next == '\'' => Quoted(PgTokenKind.HexString, pos, pos + 1, '\'', backslash: false),
            // scan.l lexes N'…' as "n" then an ordinary '…', so it follows standard_conforming_strings too.
            'N' or 'n' when next == '\'' => Quoted(PgTokenKind.String, pos, pos + 1, '\'', backslash: _plainBackslash),
            'U' or 'u' when next == '&' && pos + 2 < end && text[pos + 2] == '\'' =>
                Quoted(PgTokenKind.UnicodeString, pos, pos + 2, '\'', backslash: false),
            'U' or 'u' when next == '&' && pos + 2 < end && text[pos + 2] == '"' =>
                Quoted(PgTokenKind.QuotedIdentifier, pos, pos + 2, '"', backslash: false),
            '$' => Dollar(pos),
            >= '0' and <= '9' => Number(pos),
            '.' when next is >= '0' and <= '9' => Number(pos),
            '(' => new PgToken(PgTokenKind.OpenParen, pos, 1),
            ')' => new PgToken(PgTokenKind.CloseParen, pos, 1),
            '[' => new PgToken(PgTokenKind.OpenBracket, pos, 1),
            ']' => new PgToken(PgTokenKind.CloseBracket, pos, 1),
            ',' => new PgToken(PgTokenKind.Comma, pos, 1),
            ';' => new PgToken(PgTokenKind.Semicolon, pos, 1),
            '.' => new PgToken(PgTokenKind.Dot, pos, 1),
            // "::" is the cast operator, ":=" PL/pgSQL assignment, ":" array slices and psql variables.
            ':' => new PgToken(PgTokenKind.Operator, pos, next is ':' or '=' ? 2 : 1),
            _ when IsIdentStart(c) => Identifier(pos),
            _ when IsOperatorChar(c) => Operator(pos),
            _ => new PgToken(PgTokenKind.Unknown, pos, char.IsHighSurrogate(c) && char.IsLowSurrogate(next) ? 2 : 1),
        };
        _pos = token.End;
        return true;
    }

    private readonly PgToken LineComment(int pos)
    {
        var rest = _text.AsSpan(pos, _end - pos);
        var newline = rest.IndexOfAny('\n', '\r');
        return new PgToken(PgTokenKind.LineComment, pos, newline < 0 ? rest.Length : newline);
    }

    private readonly PgToken BlockComment(int pos)
    {
        // Block comments nest in PostgreSQL (unlike the SQL standard's C-style comments).
        var depth = 1;
        var i = pos + 2;
        while (i < _end)
        {
            var c = _text[i];
            if (c == '/' && i + 1 < _end && _text[i + 1] == '*')
            {
                depth++;
                i += 2;
            }
            else if (c == '*' && i + 1 < _end && _text[i + 1] == '/')
            {
                i += 2;
                if (--depth == 0)
                {
                    return new PgToken(PgTokenKind.BlockComment, pos, i - pos);
                }
            }
            else
            {
                i++;
            }
        }

        return new PgToken(PgTokenKind.BlockComment, pos, _end - pos, Terminated: false);
    }

    /// <summary>A quoted form starting at <paramref name="start"/> whose opening quote is at <paramref name="quote"/>;
    /// a doubled quote is an escaped quote (not in B'…' and X'…', whose scan.l states have no <c>xqdouble</c>: there
    /// the second quote starts a new literal), and with <paramref name="backslash"/> a backslash escapes the next character.</summary>
    private readonly PgToken Quoted(PgTokenKind kind, int start, int quote, char delimiter, bool backslash)
    {
        var doubling = kind is not (PgTokenKind.BitString or PgTokenKind.HexString);
        var i = quote + 1;
        while (i < _end)
        {
            var c = _text[i];
            if (c == delimiter)
            {
                if (doubling && i + 1 < _end && _text[i + 1] == delimiter)
                {
                    i += 2;
                    continue;
                }

                return new PgToken(kind, start, i + 1 - start);
            }

            i += backslash && c == '\\' ? 2 : 1;
        }

        return new PgToken(kind, start, _end - start, Terminated: false);
    }

    private readonly PgToken Dollar(int pos)
    {
        var i = pos + 1;
        if (i < _end && char.IsAsciiDigit(_text[i]))
        {
            while (i < _end && char.IsAsciiDigit(_text[i]))
            {
                i++;
            }

            return new PgToken(PgTokenKind.Parameter, pos, i - pos);
        }

        // A dollar-quote tag is "$", an optional identifier without "$", then "$" (§4.1.2.4).
        if (i < _end && IsIdentStart(_text[i]))
        {
            while (i < _end && IsTagChar(_text[i]))
            {
                i++;
            }
        }

        if (i >= _end || _text[i] != '$')
        {
            return new PgToken(PgTokenKind.Unknown, pos, 1);
        }

        var tag = _text.AsSpan(pos, i + 1 - pos);
        var bodyStart = i + 1;
        var close = _text.AsSpan(bodyStart, _end - bodyStart).IndexOf(tag, StringComparison.Ordinal);
        return close < 0
            ? new PgToken(PgTokenKind.DollarString, pos, _end - pos, Terminated: false)
            : new PgToken(PgTokenKind.DollarString, pos, bodyStart + close + tag.Length - pos);
    }

    private readonly PgToken Number(int pos)
    {
        var text = _text;
        var i = pos;
        if (text[i] == '0' && i + 2 < _end && text[i + 1] is 'x' or 'X' or 'o' or 'O' or 'b' or 'B'
            && (char.IsAsciiHexDigit(text[i + 2]) || text[i + 2] == '_'))
        {
            // Non-decimal integers (PostgreSQL 16): 0x1F, 0o17, 0b101, with optional "_" separators.
            i += 2;
            while (i < _end && (char.IsAsciiHexDigit(text[i]) || text[i] == '_'))
            {
                i++;
            }

            return new PgToken(PgTokenKind.Number, pos, i - pos);
        }

        i = Digits(i);
        if (i < _end && text[i] == '.' && !(i + 1 < _end && text[i + 1] == '.'))
        {
            i = Digits(i + 1);
        }

        if (i < _end && text[i] is 'e' or 'E')
        {
            var j = i + 1;
            if (j < _end && text[j] is '+' or '-')
            {
                j++;
            }

            if (j < _end && char.IsAsciiDigit(text[j]))
            {
                i = Digits(j);
            }
        }

        return new PgToken(PgTokenKind.Number, pos, i - pos);
    }

    private readonly int Digits(int i)
    {
        while (i < _end && (char.IsAsciiDigit(_text[i]) || (_text[i] == '_' && i + 1 < _end && char.IsAsciiDigit(_text[i + 1]))))
        {
            i++;
        }

        return i;
    }

    private readonly PgToken Identifier(int pos)
    {
        var i = pos + 1;
        while (i < _end && IsIdentChar(_text[i]))
        {
            i++;
        }

        return new PgToken(PgTokenKind.Identifier, pos, i - pos);
    }

    private readonly PgToken Operator(int pos)
    {
        // An operator is a run of operator characters that stops before "--" or "/*" (§4.1.3).
        var i = pos + 1;
        while (i < _end && IsOperatorChar(_text[i]))
        {
            if ((_text[i] == '-' && i + 1 < _end && _text[i + 1] == '-') || (_text[i] == '/' && i + 1 < _end && _text[i + 1] == '*'))
            {
                break;
            }

            i++;
        }

        // A multi-character operator cannot end in + or - unless it contains one of ~ ! @ # % ^ & | ` ?, so that
        // "x=-1" lexes as "=" and "-1".
        var length = i - pos;
        if (length > 1 && _text.AsSpan(pos, length).IndexOfAny("~!@#%^&|`?") < 0)
        {
            while (length > 1 && _text[pos + length - 1] is '+' or '-')
            {
                length--;
            }
        }

        return new PgToken(PgTokenKind.Operator, pos, length);
    }

    private static bool IsSpace(char c) => c is ' ' or '\t' or '\n' or '\r' or '\f' or '\v';

    /// <summary>Letters, "_" and any non-ASCII character start an identifier, as in scan.l's ident_start.</summary>
    private static bool IsIdentStart(char c) => char.IsAsciiLetter(c) || c == '_' || c >= '\u0080';

    private static bool IsIdentChar(char c) => IsIdentStart(c) || char.IsAsciiDigit(c) || c == '$';

    private static bool IsTagChar(char c) => IsIdentStart(c) || char.IsAsciiDigit(c);

    private static bool IsOperatorChar(char c) => c is '+' or '-' or '*' or '/' or '<' or '>' or '=' or '~' or '!'
        or '@' or '#' or '%' or '^' or '&' or '|' or '`' or '?';
}
