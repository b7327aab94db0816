namespace Vigil.Analysis.Static.Shell;

/// <summary>Token kinds of POSIX.1-2017 §2.3 token recognition (reserved words are words; the parser decides).</summary>
public enum ShellTokenKind
{
    /// <summary>A WORD (quote-removed in <see cref="ShellToken.Text"/>).</summary>
    Word,
    /// <summary>An operator: control (<c>|</c>, <c>&amp;&amp;</c>, <c>(</c>, …) or redirection (<c>&gt;</c>, <c>&lt;&lt;</c>, …).</summary>
    Operator,
    /// <summary>An IO_NUMBER: digits directly before <c>&lt;</c> or <c>&gt;</c>.</summary>
    IoNumber,
    /// <summary>A newline.</summary>
    Newline,
}

/// <summary>Command or process substitution found inside a word.</summary>
public enum ShellSubstitutionKind
{
    /// <summary><c>$( … )</c>.</summary>
    Dollar,
    /// <summary>Backticks.</summary>
    Backtick,
    /// <summary>bash <c>&lt;( … )</c> or <c>&gt;( … )</c>.</summary>
    Process,
}

/// <summary>A substitution's kind and its own tokens (lexed recursively, §2.6.3).</summary>
/// <param name="Kind">Which form.</param>
/// <param name="Tokens">The inner tokens.</param>
/// <param name="Source">The text the inner tokens' offsets refer to.</param>
public sealed record ShellSubstitution(ShellSubstitutionKind Kind, IReadOnlyList<ShellToken> Tokens, string Source);

/// <summary>One token of a shell command line.</summary>
public sealed class ShellToken
{
    internal ShellToken(ShellTokenKind kind, string text, ShellWordFlags flags, int start, int end)
    {
        Kind = kind; Text = text; Flags = flags; Start = start; End = end;
    }

    /// <summary>The kind.</summary>
    public ShellTokenKind Kind { get; }

    /// <summary>Operator text, or the word after quote removal (expansions kept verbatim).</summary>
    public string Text { get; }

    /// <summary>Quoting facts for words.</summary>
    public ShellWordFlags Flags { get; }

    /// <summary>Offset of the first character in the lexed text.</summary>
    public int Start { get; }

    /// <summary>Offset just past the token.</summary>
    public int End { get; }

    /// <summary>Substitutions inside the word (and inside an unquoted here-document body), in order.</summary>
    public IReadOnlyList<ShellSubstitution> Substitutions => _substitutions ?? (IReadOnlyList<ShellSubstitution>)[];

    /// <summary>For a here-document delimiter word, the body that followed the next newline.</summary>
    public string? HeredocBody { get; internal set; }

    internal List<ShellSubstitution>? _substitutions;

    /// <summary>The token as a <see cref="ShellWord"/>.</summary>
    public ShellWord AsWord() => new(Text, Flags);

    /// <inheritdoc />
    public override string ToString() => Kind == ShellTokenKind.Word ? Text : $"<{Text}>";
}
