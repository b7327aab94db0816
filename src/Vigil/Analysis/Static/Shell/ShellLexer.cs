using System.Text;

namespace Vigil.Analysis.Static.Shell;

/// <summary>
/// Token recognition after POSIX.1-2017 §2.3: operators by longest match, quoting (§2.2), words with
/// <c>$(…)</c>, <c>${…}</c>, <c>$((…))</c> and backticks found by recursive lexing (§2.3 rule 5), comments,
/// IO_NUMBER, here-document bodies read after the next newline (§2.7.4), plus bash's <c>&lt;&lt;&lt;</c>,
/// <c>&amp;&gt;</c>, <c>|&amp;</c>, <c>$'…'</c> and process substitution. Never throws: unterminated constructs run to the end.
/// </summary>
internal sealed class ShellLexer
{
    /// <summary>Beyond this nesting the body of a substitution is skipped, not lexed, so hostile input cannot overflow the stack.</summary>
    internal const int MaxDepth = 24;

    private readonly string _s;
    private readonly int _depth;
    private readonly bool _untilParen;
    private readonly List<ShellToken> _tokens = [];
    private readonly StringBuilder _sb = new();
    private readonly ShellLexState _state;
    private int _pos;
    private int _parens;
    private bool _expectDelimiter;
    private bool _stripTabs;
    private List<(ShellToken Token, bool StripTabs)>? _pending;
    private List<ShellSubstitution>? _subs;
    private ShellWordFlags _flags;

    private ShellLexer(string s, int start, int depth, bool untilParen, ShellLexState state)
    {
        _s = s; _pos = start; _depth = depth; _untilParen = untilParen; _state = state;
    }

    /// <summary>Lexes <paramref name="s"/> from <paramref name="start"/>; with <paramref name="untilParen"/> it stops
    /// after the <c>)</c> that closes a <c>$(</c> and reports where in <paramref name="end"/>.</summary>
    internal static List<ShellToken> Lex(string s, int start, int depth, bool untilParen, ShellLexState state, out int end)
    {
        var lexer = new ShellLexer(s, start, depth, untilParen, state);
        lexer.Run();
        end = lexer._pos;
        return lexer._tokens;
    }

    private void Run()
    {
        var s = _s;
        while (_pos < s.Length)
        {
            var c = s[_pos];
            if (c == '\n')
            {
                _tokens.Add(new ShellToken(ShellTokenKind.Newline, "\n", 0, _pos, _pos + 1));
                _pos++;
                ReadHeredocBodies();
                continue;
            }
            if (c is ' ' or '\t' or '\r') { _pos++; continue; }
            if (c == '#')
            {
                var nl = s.IndexOf('\n', _pos);
                _pos = nl < 0 ? s.Length : nl;
                continue;
            }
            if (c == '\\' && _pos + 1 < s.Length && s[_pos + 1] == '\n') { _pos += 2; continue; }
            if (_untilParen && c == ')' && _parens == 0) { _pos++; return; }
            if (IsOperatorChar(c) && !IsProcessSubstitution(_pos))
            {
                ReadOperator();
                continue;
            }
            ReadWord();
        }
    }

    private static bool IsOperatorChar(char c) => c is '|' or '&' or ';' or '<' or '>' or '(' or ')';

    private bool IsProcessSubstitution(int at) =>
        (_s[at] == '<' || _s[at] == '>') && at + 1 < _s.Length && _s[at + 1] == '(';

    private void ReadOperator()
    {
        var s = _s;
        var start = _pos;
        string op;
        if (Matches("<<<")) op = "<<<";
        else if (Matches("<<-")) op = "<<-";
        else if (Matches("&>>")) op = "&>>";
        else if (Matches("&&")) op = "&&";
        else if (Matches("||")) op = "||";
        else if (Matches(";;")) op = ";;";
        else if (Matches("<<")) op = "<<";
        else if (Matches(">>")) op = ">>";
        else if (Matches("<&")) op = "<&";
        else if (Matches(">&")) op = ">&";
        else if (Matches("<>")) op = "<>";
        else if (Matches(">|")) op = ">|";
        else if (Matches("&>")) op = "&>";
        else if (Matches("|&")) op = "|&";
        else op = s[_pos] switch
        {
            '|' => "|", '&' => "&", ';' => ";", '<' => "<", '>' => ">", '(' => "(", _ => ")",
        };
        _pos += op.Length;
        if (_untilParen)
        {
            if (op == "(") _parens++;
            else if (op == ")") _parens--;
        }
        _expectDelimiter = op is "<<" or "<<-";
        _stripTabs = op == "<<-";
        _tokens.Add(new ShellToken(ShellTokenKind.Operator, op, 0, start, _pos));
    }

    private bool Matches(string op) => string.CompareOrdinal(_s, _pos, op, 0, op.Length) == 0;

    private void ReadWord()
    {
        var s = _s;
        var start = _pos;
        _sb.Clear();
        _flags = 0;
        _subs = null;
        while (_pos < s.Length)
        {
            var c = s[_pos];
            if (c is ' ' or '\t' or '\r' or '\n') break;
            if (IsOperatorChar(c))
            {
                if (!IsProcessSubstitution(_pos)) break;
                ReadParenSubstitution(_pos + 2, ShellSubstitutionKind.Process);
                continue;
            }
            switch (c)
            {
                case '\\':
                    if (_pos + 1 >= s.Length) { _sb.Append('\\'); _pos++; break; }
                    if (s[_pos + 1] != '\n') { _sb.Append(s[_pos + 1]); _flags |= ShellWordFlags.Escaped; }
                    _pos += 2;
                    break;
                case '\'':
                    {
                        _flags |= ShellWordFlags.SingleQuoted;
                        var close = s.IndexOf('\'', _pos + 1);
                        var stop = close < 0 ? s.Length : close;
                        _sb.Append(s, _pos + 1, stop - _pos - 1);
                        _pos = close < 0 ? s.Length : close + 1;
                        break;
                    }
                case '"':
                    _flags |= ShellWordFlags.DoubleQuoted;
                    _pos++;
                    ReadDoubleQuoted();
                    break;
                case '$':
                    ReadDollar();
                    break;
                case '`':
                    ReadBacktick();
                    break;
                default:
                    if (c is '*' or '?' or '[') _flags |= ShellWordFlags.Glob;
                    _sb.Append(c);
                    _pos++;
                    break;
            }
        }
        var text = _sb.ToString();
        var isIoNumber = _flags == 0 && _pos < s.Length && (s[_pos] == '<' || s[_pos] == '>') && !IsProcessSubstitution(_pos)
            && text.Length is > 0 and < 6 && text.AsSpan().IndexOfAnyExceptInRange('0', '9') < 0;
        var token = new ShellToken(isIoNumber ? ShellTokenKind.IoNumber : ShellTokenKind.Word, text, _flags, start, _pos) { _substitutions = _subs };
        _tokens.Add(token);
        if (_expectDelimiter && !isIoNumber)
        {
            _expectDelimiter = false;
            (_pending ??= []).Add((token, _stripTabs));
        }
    }

    private void ReadDoubleQuoted()
    {
        var s = _s;
        while (_pos < s.Length)
        {
            var c = s[_pos];
            if (c == '"') { _pos++; return; }
            if (c == '\\' && _pos + 1 < s.Length)
            {
                var next = s[_pos + 1];
                if (next is '$' or '`' or '"' or '\\') { _sb.Append(next); _flags |= ShellWordFlags.Escaped; _pos += 2; continue; }
                if (next == '\n') { _pos += 2; continue; }
                _sb.Append('\\');
                _pos++;
                continue;
            }
            if (c == '$') { ReadDollar(); continue; }
            if (c == '`') { ReadBacktick(); continue; }
            _sb.Append(c);
            _pos++;
        }
    }

    private void ReadDollar()
    {
        var s = _s;
        var start = _pos;
        if (_pos + 1 >= s.Length) { _sb.Append('$'); _pos++; return; }
        var next = s[_pos + 1];
        if (next == '(')
        {
            if (_pos + 2 < s.Length && s[_pos + 2] == '(')
            {
                _pos = SkipBalanced(s, _pos + 1, '(', ')');
                _flags |= ShellWordFlags.Expansion;
                _sb.Append(s, start, _pos - start);
                return;
            }
            ReadParenSubstitution(_pos + 2, ShellSubstitutionKind.Dollar);
            return;
        }
        if (next == '{')
        {
            _pos += 2;
            var depth = 1;
            while (_pos < s.Length && depth > 0)
            {
                var c = s[_pos];
                if (c == '\\') { _pos += 2; continue; }
                if (c == '{') depth++;
                else if (c == '}') depth--;
                else if (c == '\'') { var q = s.IndexOf('\'', _pos + 1); _pos = q < 0 ? s.Length : q + 1; continue; }
                else if (c == '$' && _pos + 1 < s.Length && s[_pos + 1] == '(' && (_pos + 2 >= s.Length || s[_pos + 2] != '('))
                {
                    // ${x:-$(cmd)} runs cmd: lex it, but the text is appended once below.
                    var mark = _sb.Length;
                    ReadParenSubstitution(_pos + 2, ShellSubstitutionKind.Dollar);
                    _sb.Length = mark;
                    continue;
                }
                _pos++;
            }
            _pos = Math.Min(_pos, s.Length);
            _flags |= ShellWordFlags.Expansion;
            _sb.Append(s, start, _pos - start);
            return;
        }
        if (next == '\'')
        {
            _flags |= ShellWordFlags.SingleQuoted;
            _pos += 2;
            ReadAnsiC();
            return;
        }
        if (char.IsAsciiLetterOrDigit(next) || next == '_')
        {
            _pos++;
            while (_pos < s.Length && (char.IsAsciiLetterOrDigit(s[_pos]) || s[_pos] == '_')) _pos++;
            _flags |= ShellWordFlags.Expansion;
            _sb.Append(s, start, _pos - start);
            return;
        }
        if (next is '?' or '#' or '@' or '*' or '$' or '!' or '-')
        {
            _pos += 2;
            _flags |= ShellWordFlags.Expansion;
            _sb.Append(s, start, 2);
            return;
        }
        _sb.Append('$');
        _pos++;
    }

    /// <summary>bash <c>$'…'</c>: decodes the common escapes so <c>$'\x72m'</c> reads as <c>rm</c>.</summary>
    private void ReadAnsiC()
    {
        var s = _s;
        while (_pos < s.Length)
        {
            var c = s[_pos];
            if (c == '\'') { _pos++; return; }
            if (c != '\\' || _pos + 1 >= s.Length) { _sb.Append(c); _pos++; continue; }
            var e = s[_pos + 1];
            _pos += 2;
            switch (e)
            {
                case 'n': _sb.Append('\n'); break;
                case 't': _sb.Append('\t'); break;
                case 'r': _sb.Append('\r'); break;
                case 'x':
                    {
                        var value = 0;
                        var digits = 0;
                        while (digits < 2 && _pos < s.Length && char.IsAsciiHexDigit(s[_pos]))
                        {
                            value = value * 16 + Convert.ToInt32(s[_pos].ToString(), 16);
                            _pos++;
                            digits++;
                        }
                        _sb.Append(digits == 0 ? 'x' : (char)value);
                        break;
                    }
                case >= '0' and <= '7':
                    {
                        var value = e - '0';
                        var digits = 1;
                        while (digits < 3 && _pos < s.Length && s[_pos] is >= '0' and <= '7')
                        {
                            value = value * 8 + (s[_pos] - '0');
                            _pos++;
                            digits++;
                        }
                        _sb.Append((char)(value & 0xFF));
                        break;
                    }
                default: _sb.Append(e); break;
            }
        }
    }

    /// <summary>Lexes a <c>$(</c> or <c>&lt;(</c> body starting at <paramref name="bodyStart"/> and appends the raw text.</summary>
    private void ReadParenSubstitution(int bodyStart, ShellSubstitutionKind kind)
    {
        var start = _pos;
        _flags |= ShellWordFlags.Expansion | ShellWordFlags.Substitution;
        if (_depth >= MaxDepth)
        {
            _state.DepthExceeded = true;
            _pos = SkipBalanced(_s, bodyStart - 1, '(', ')');
        }
        else
        {
            var tokens = Lex(_s, bodyStart, _depth + 1, untilParen: true, _state, out var end);
            (_subs ??= []).Add(new ShellSubstitution(kind, tokens, _s));
            _pos = end;
        }
        _sb.Append(_s, start, _pos - start);
    }

    private void ReadBacktick()
    {
        var s = _s;
        var start = _pos;
        _pos++;
        var inner = new StringBuilder();
        while (_pos < s.Length && s[_pos] != '`')
        {
            if (s[_pos] == '\\' && _pos + 1 < s.Length && s[_pos + 1] is '`' or '\\' or '$')
            {
                inner.Append(s[_pos + 1]);
                _pos += 2;
                continue;
            }
            inner.Append(s[_pos]);
            _pos++;
        }
        _pos = Math.Min(_pos + 1, s.Length);
        _flags |= ShellWordFlags.Expansion | ShellWordFlags.Substitution;
        if (_depth >= MaxDepth) _state.DepthExceeded = true;
        else
        {
            var body = inner.ToString();
            (_subs ??= []).Add(new ShellSubstitution(ShellSubstitutionKind.Backtick, Lex(body, 0, _depth + 1, false, _state, out _), body));
        }
        _sb.Append(s, start, _pos - start);
    }

    /// <summary>From an opening <paramref name="open"/> at <paramref name="at"/>, the offset after its match (or the end),
    /// skipping quoted text. Iterative, so depth costs no stack.</summary>
    internal static int SkipBalanced(string s, int at, char open, char close)
    {
        var depth = 0;
        var i = at;
        while (i < s.Length)
        {
            var c = s[i];
            if (c == '\\') { i += 2; continue; }
            if (c == '\'') { var q = s.IndexOf('\'', i + 1); i = q < 0 ? s.Length : q + 1; continue; }
            if (c == open) depth++;
            else if (c == close && --depth == 0) return i + 1;
            i++;
        }
        return s.Length;
    }

    private void ReadHeredocBodies()
    {
        if (_pending is null) return;
        var s = _s;
        foreach (var (token, strip) in _pending)
        {
            var body = new StringBuilder();
            var delimiter = token.Text;
            while (_pos < s.Length)
            {
                var nl = s.IndexOf('\n', _pos);
                var lineEnd = nl < 0 ? s.Length : nl;
                var line = s.AsSpan(_pos, lineEnd - _pos);
                if (strip) line = line.TrimStart('\t');
                line = line.TrimEnd('\r');
                _pos = nl < 0 ? s.Length : nl + 1;
                if (line.SequenceEqual(delimiter)) break;
                body.Append(line).Append('\n');
            }
            token.HeredocBody = body.ToString();
            if (!token.IsQuotedDelimiter() && token.HeredocBody.AsSpan().IndexOfAny('$', '`') >= 0 && _depth < MaxDepth)
            {
                // An unquoted here-document expands $(…) and backticks when the shell reads it.
                var scan = Lex("\"" + token.HeredocBody, 0, _depth + 1, false, _state, out _);
                foreach (var t in scan)
                    if (t._substitutions is not null) (token._substitutions ??= []).AddRange(t._substitutions);
            }
        }
        _pending = null;
    }
}

/// <summary>State shared by a lexer and the lexers it starts for substitutions.</summary>
internal sealed class ShellLexState
{
    /// <summary>Set when a substitution nested deeper than <see cref="ShellLexer.MaxDepth"/>.</summary>
    public bool DepthExceeded { get; set; }
}

internal static class ShellTokenExtensions
{
    internal static bool IsQuotedDelimiter(this ShellToken token) =>
        (token.Flags & (ShellWordFlags.SingleQuoted | ShellWordFlags.DoubleQuoted | ShellWordFlags.Escaped)) != 0;
}
