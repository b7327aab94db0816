namespace Vigil.Analysis.Static.Shell;

/// <summary>
/// A POSIX shell tokenizer and parser (POSIX.1-2017 Shell Command Language §2.3 Token Recognition, §2.9 Shell
/// Commands, §2.10 grammar), with the bash extensions seen in practice (<c>&lt;&lt;&lt;</c>, <c>&amp;&gt;</c>,
/// <c>$'…'</c>, <c>&lt;(…)</c>). It never expands or executes anything and never throws: unterminated quotes and
/// substitutions run to the end of the input.
/// </summary>
public static class ShellTokenizer
{
    /// <summary>The tokens of <paramref name="text"/> (words quote-removed; substitutions carry their own tokens).</summary>
    public static IReadOnlyList<ShellToken> Tokenize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return ShellLexer.Lex(text, 0, 0, false, new ShellLexState(), out _);
    }

    /// <summary>
    /// Every simple command in <paramref name="text"/>, in source order, including those inside subshells, groups,
    /// function bodies and command/process substitutions (each nested command follows the command that holds it).
    /// </summary>
    public static ShellScript Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var state = new ShellLexState();
        var tokens = ShellLexer.Lex(text, 0, 0, false, state, out _);
        var script = new ShellScript(text);
        ShellParser.Parse(script, tokens, text, ShellNesting.None, 0, -1, -1, null);
        if (state.DepthExceeded) script.DepthExceeded = true;
        return script;
    }
}
