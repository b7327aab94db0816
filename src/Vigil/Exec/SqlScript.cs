namespace Vigil.Exec;

/// <summary>
/// Splits a SQL script into statements at top-level semicolons, honouring the lexical rules of PostgreSQL docs §4.1
/// (Lexical Structure): '…' and E'…' strings, "…" identifiers, $tag$…$tag$ dollar quoting, -- line comments and nested
/// /* … */ block comments. Empty statements are dropped; each statement is returned trimmed.
/// </summary>
public static class SqlScript
{
    /// <summary>The statements of <paramref name="script"/>, in order.</summary>
    public static IReadOnlyList<string> Split(string script)
    {
        var statements = new List<string>();
        var start = 0;
        var i = 0;
        while (i < script.Length)
        {
            var c = script[i];
            if (c == ';')
            {
                Add(statements, script[start..i]);
                start = ++i;
            }
            else if (c == '\'')
            {
                var escapes = i > 0 && (script[i - 1] is 'E' or 'e') && (i < 2 || !IsIdentifierChar(script[i - 2]));
                i = SkipQuoted(script, i, '\'', escapes);
            }
            else if (c == '"')
            {
                i = SkipQuoted(script, i, '"', false);
            }
            else if (TrySkipComment(script, i, out var afterComment))
            {
                i = afterComment;
            }
            else if (c == '$' && (i == 0 || !IsIdentifierChar(script[i - 1])) && TryDollarTag(script, i, out var tag))
            {
                var end = script.IndexOf(tag, i + tag.Length, StringComparison.Ordinal);
                i = end < 0 ? script.Length : end + tag.Length;
            }
            else
            {
                i++;
            }
        }
        Add(statements, script[start..]);
        return statements;
    }

    /// <summary>Up to <paramref name="count"/> leading keywords of <paramref name="statement"/> after comments, upper-cased ("CREATE", "TABLE").</summary>
    public static IReadOnlyList<string> LeadingWords(string statement, int count)
    {
        var words = new List<string>();
        var i = SkipSpaceAndComments(statement, 0);
        while (i < statement.Length && words.Count < count && char.IsLetter(statement[i]))
        {
            var start = i;
            while (i < statement.Length && IsIdentifierChar(statement[i]))
            {
                i++;
            }
            words.Add(statement[start..i].ToUpperInvariant());
            i = SkipSpaceAndComments(statement, i);
        }
        return words;
    }

    private static void Add(List<string> statements, string text)
    {
        var trimmed = text.Trim();
        if (SkipSpaceAndComments(trimmed, 0) < trimmed.Length)
        {
            statements.Add(trimmed);
        }
    }

    /// <summary>The index of the first character at or after <paramref name="i"/> that is not white space or a comment.</summary>
    private static int SkipSpaceAndComments(string s, int i)
    {
        while (i < s.Length)
        {
            if (char.IsWhiteSpace(s[i]))
            {
                i++;
            }
            else if (TrySkipComment(s, i, out var end))
            {
                i = end;
            }
            else
            {
                break;
            }
        }
        return i;
    }

    /// <summary>When a -- or /* comment starts at <paramref name="i"/>, <paramref name="end"/> is the index after it.</summary>
    private static bool TrySkipComment(string s, int i, out int end)
    {
        if (s[i] == '-' && At(s, i + 1) == '-')
        {
            var newline = s.IndexOf('\n', i);
            end = newline < 0 ? s.Length : newline + 1;
            return true;
        }
        if (s[i] == '/' && At(s, i + 1) == '*')
        {
            end = SkipBlockComment(s, i);
            return true;
        }
        end = i;
        return false;
    }

    private static int SkipQuoted(string s, int i, char quote, bool backslashEscapes)
    {
        i++;
        while (i < s.Length)
        {
            if (backslashEscapes && s[i] == '\\')
            {
                i += 2;
            }
            else if (s[i] == quote)
            {
                if (At(s, i + 1) == quote)
                {
                    i += 2;
                }
                else
                {
                    return i + 1;
                }
            }
            else
            {
                i++;
            }
        }
        return s.Length;
    }

    private static int SkipBlockComment(string s, int i)
    {
        var depth = 0;
        while (i < s.Length)
        {
            if (s[i] == '/' && At(s, i + 1) == '*')
            {
                depth++;
                i += 2;
            }
            else if (s[i] == '*' && At(s, i + 1) == '/')
            {
                depth--;
                i += 2;
                if (depth == 0)
                {
                    return i;
                }
            }
            else
            {
                i++;
            }
        }
        return s.Length;
    }

    private static bool TryDollarTag(string s, int i, out string tag)
    {
        var j = i + 1;
        while (j < s.Length && (char.IsLetter(s[j]) || s[j] == '_' || (j > i + 1 && char.IsDigit(s[j]))))
        {
            j++;
        }
        tag = j < s.Length && s[j] == '$' ? s[i..(j + 1)] : "";
        return tag.Length > 0;
    }

    private static char At(string s, int i) => i < s.Length ? s[i] : '\0';

    private static bool IsIdentifierChar(char c) => char.IsLetterOrDigit(c) || c is '_' or '$';
}
