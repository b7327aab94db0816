namespace Vigil.Analysis.Static.Shell;

/// <summary>Quoting and expansion facts about one word, kept after quote removal (POSIX.1-2017 §2.6.7).</summary>
[Flags]
public enum ShellWordFlags
{
    /// <summary>A plain unquoted literal.</summary>
    None = 0,
    /// <summary>Part of the word was in single quotes (or bash <c>$'…'</c>).</summary>
    SingleQuoted = 1,
    /// <summary>Part of the word was in double quotes.</summary>
    DoubleQuoted = 2,
    /// <summary>A backslash escaped a character.</summary>
    Escaped = 4,
    /// <summary>The word holds a parameter, arithmetic or command expansion (kept verbatim in the text).</summary>
    Expansion = 8,
    /// <summary>The word holds a command or process substitution.</summary>
    Substitution = 16,
    /// <summary>An unquoted <c>*</c>, <c>?</c> or <c>[</c> (pathname expansion, §2.13).</summary>
    Glob = 32,
}

/// <summary>
/// One word after quote removal: quotes and escaping backslashes are gone, expansions (<c>$HOME</c>, <c>$(…)</c>,
/// backticks) are kept verbatim because the analyzer never expands them.
/// </summary>
/// <param name="Text">The quote-removed text.</param>
/// <param name="Flags">How the word was quoted and what it expands.</param>
public readonly record struct ShellWord(string Text, ShellWordFlags Flags)
{
    /// <summary>True when any part of the word was quoted or escaped.</summary>
    public bool IsQuoted => (Flags & (ShellWordFlags.SingleQuoted | ShellWordFlags.DoubleQuoted | ShellWordFlags.Escaped)) != 0;

    /// <inheritdoc />
    public override string ToString() => Text;
}

/// <summary>What follows a simple command in its list (POSIX.1-2017 §2.9.2 pipelines, §2.9.3 lists).</summary>
public enum ShellConnector
{
    /// <summary>End of the input or of the enclosing group, subshell or substitution.</summary>
    End,
    /// <summary><c>;</c>, <c>;;</c> or a newline: sequential.</summary>
    Sequence,
    /// <summary><c>&amp;</c>: asynchronous (background).</summary>
    Background,
    /// <summary><c>&amp;&amp;</c>.</summary>
    And,
    /// <summary><c>||</c>.</summary>
    Or,
    /// <summary><c>|</c> or <c>|&amp;</c>: standard output feeds the next command.</summary>
    Pipe,
}

/// <summary>The constructs that enclose a simple command.</summary>
[Flags]
public enum ShellNesting
{
    /// <summary>Top level.</summary>
    None = 0,
    /// <summary>Inside <c>( … )</c> (§2.9.4).</summary>
    Subshell = 1,
    /// <summary>Inside <c>{ …; }</c> (§2.9.4).</summary>
    BraceGroup = 2,
    /// <summary>Inside <c>$( … )</c> or backticks (§2.6.3).</summary>
    CommandSubstitution = 4,
    /// <summary>Inside bash <c>&lt;( … )</c> or <c>&gt;( … )</c>.</summary>
    ProcessSubstitution = 8,
    /// <summary>Inside a function definition's body (§2.9.5).</summary>
    FunctionBody = 16,
}

/// <summary>One pipeline (§2.9.2); <see cref="Stages"/> is its number of commands.</summary>
public sealed class ShellPipeline
{
    /// <summary>Unique within one parse.</summary>
    public int Id { get; internal init; }

    /// <summary>The number of stages (1 for a lone command).</summary>
    public int Stages { get; internal set; }
}

/// <summary>Where a command sits in one enclosing pipeline: stage 0 feeds stage 1 and so on.</summary>
/// <param name="Pipeline">The pipeline.</param>
/// <param name="Stage">The zero-based stage.</param>
public readonly record struct ShellPipelinePosition(ShellPipeline Pipeline, int Stage);

/// <summary>
/// One redirection (§2.7): <c>[n]&gt;word</c>, <c>&gt;&gt;</c>, <c>&lt;</c>, <c>&lt;&gt;</c>, <c>&gt;|</c>, <c>&lt;&amp;</c>,
/// <c>&gt;&amp;</c>, here-documents <c>&lt;&lt;</c>/<c>&lt;&lt;-</c>, and bash's <c>&amp;&gt;</c>, <c>&amp;&gt;&gt;</c>, <c>&lt;&lt;&lt;</c>.
/// </summary>
/// <param name="Fd">The explicit IO_NUMBER, or null.</param>
/// <param name="Operator">The operator text, e.g. <c>&gt;&gt;</c>.</param>
/// <param name="Target">The target word (for a here-document, its delimiter).</param>
/// <param name="HeredocBody">The here-document's lines, or null.</param>
public sealed record ShellRedirection(int? Fd, string Operator, ShellWord Target, string? HeredocBody)
{
    /// <summary>True when the redirection writes to <see cref="Target"/> as a file.</summary>
    public bool IsFileOutput => Operator is ">" or ">>" or ">|" or "&>" or "&>>" or "<>"
        || (Operator == ">&" && !IsDescriptor(Target.Text));

    /// <summary>True when the command reads <see cref="Target"/> as a file.</summary>
    public bool IsFileInput => Operator is "<" or "<>" || (Operator == "<&" && !IsDescriptor(Target.Text));

    /// <summary>True for a here-document or here-string: the command's standard input is literal text.</summary>
    public bool IsInlineInput => Operator is "<<" or "<<-" or "<<<";

    /// <summary>The text fed to standard input by a here-document or here-string.</summary>
    public string? InlineText => Operator == "<<<" ? Target.Text : HeredocBody;

    private static bool IsDescriptor(string text) => text == "-" || (text.Length > 0 && text.AsSpan().TrimEnd('-').IndexOfAnyExceptInRange('0', '9') < 0);
}

/// <summary>
/// One simple command (§2.9.1) with where it sits: its pipelines (outermost first), the operator after it, the
/// constructs around it and, for commands inside a substitution, the command whose word holds it.
/// </summary>
public sealed class ShellCommand
{
    internal ShellCommand(string source, int start) { Source = source; Start = start; }

    /// <summary>The argv after quote removal (the command name first); may be empty for <c>FOO=1</c> or <c>&gt; f</c>.</summary>
    public IReadOnlyList<ShellWord> Words { get; internal set; } = [];

    /// <summary>Variable assignments prefixing the command (<c>NAME=value</c>, quote-removed).</summary>
    public IReadOnlyList<ShellWord> Assignments { get; internal set; } = [];

    /// <summary>The command's redirections, including those applied to its enclosing group or subshell.</summary>
    public IReadOnlyList<ShellRedirection> Redirections => _redirections;

    /// <summary>The operator that follows the command.</summary>
    public ShellConnector Connector { get; internal set; }

    /// <summary>The enclosing pipelines, outermost first.</summary>
    public IReadOnlyList<ShellPipelinePosition> Pipelines { get; internal set; } = [];

    /// <summary>The constructs around the command.</summary>
    public ShellNesting Nesting { get; internal set; }

    /// <summary>How many subshells, groups and substitutions enclose it.</summary>
    public int Depth { get; internal set; }

    /// <summary>For a command inside a substitution: the index (in <see cref="ShellScript.Commands"/>) of the command
    /// whose word holds it; otherwise -1.</summary>
    public int Parent { get; internal set; } = -1;

    /// <summary>For a substitution in the parent's argv, the word's index; -1 when it is elsewhere.</summary>
    public int ParentWord { get; internal set; } = -1;

    /// <summary>The function whose body holds the command, or null.</summary>
    public string? Function { get; internal set; }

    /// <summary>The text the command was parsed from (the input, or a backtick substitution's unescaped body).</summary>
    public string Source { get; }

    /// <summary>Offset of the command's first token in <see cref="Source"/>.</summary>
    public int Start { get; }

    /// <summary>Offset just past its last token.</summary>
    public int End { get; internal set; }

    /// <summary>The command's source text.</summary>
    public string Text => Source.Substring(Start, Math.Max(0, Math.Min(End, Source.Length) - Start));

    internal List<ShellRedirection> _redirections = [];

    /// <inheritdoc />
    public override string ToString() => string.Join(' ', Words.Select(w => w.Text));
}

/// <summary>The result of <see cref="ShellTokenizer.Parse(string)"/>.</summary>
public sealed class ShellScript
{
    internal ShellScript(string source) { Source = source; }

    /// <summary>The input.</summary>
    public string Source { get; }

    /// <summary>Every simple command in source order; commands nested in substitutions follow their parent.</summary>
    public IReadOnlyList<ShellCommand> Commands => _commands;

    /// <summary>Names of the functions the input defines.</summary>
    public IReadOnlyCollection<string> Functions => _functions;

    /// <summary>True when nesting went deeper than the parser follows; the deepest parts were not parsed as commands.</summary>
    public bool DepthExceeded { get; internal set; }

    internal readonly List<ShellCommand> _commands = [];
    internal readonly HashSet<string> _functions = new(StringComparer.Ordinal);
    internal int _nextPipeline;
}
