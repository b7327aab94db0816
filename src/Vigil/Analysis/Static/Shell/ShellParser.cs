namespace Vigil.Analysis.Static.Shell;

/// <summary>
/// Recursive descent over <see cref="ShellLexer"/> tokens after the POSIX.1-2017 §2.10 grammar, reduced to what the
/// analyzer needs: lists (§2.9.3), and-or lists, pipelines (§2.9.2), subshells and brace groups (§2.9.4), function
/// definitions (§2.9.5) and simple commands (§2.9.1). Reserved words of if/while/until/for/case are skipped in command
/// position, so the commands inside those constructs are still found. Never throws.
/// </summary>
internal sealed class ShellParser
{
    private const int MaxDepth = 64;

    private static readonly HashSet<string> SkippedReserved = new(StringComparer.Ordinal)
    {
        "if", "then", "else", "elif", "fi", "do", "done", "while", "until", "!", "esac", "time",
    };

    private readonly ShellScript _script;
    private readonly IReadOnlyList<ShellToken> _tokens;
    private readonly string _source;
    private int _i;
    private int _caseDepth;

    private ShellParser(ShellScript script, IReadOnlyList<ShellToken> tokens, string source)
    {
        _script = script; _tokens = tokens; _source = source;
    }

    private readonly record struct Context(
        ShellNesting Nesting, int Depth, int Parent, int ParentWord, string? Function, ShellPipelinePosition[] Pipelines);

    internal static void Parse(ShellScript script, IReadOnlyList<ShellToken> tokens, string source,
        ShellNesting nesting, int depth, int parent, int parentWord, string? function)
    {
        var parser = new ShellParser(script, tokens, source);
        var context = new Context(nesting, depth, parent, parentWord, function, []);
        while (parser._i < tokens.Count)
        {
            parser.ParseList(context, closer: null);
            if (parser._i < tokens.Count) parser._i++; // a stray ')' or '}': skip it and go on.
        }
    }

    private ShellToken? Peek => _i < _tokens.Count ? _tokens[_i] : null;

    private bool PeekOperator(string op) => Peek is { Kind: ShellTokenKind.Operator } t && t.Text == op;

    private bool PeekCloser(string? closer) => closer switch
    {
        ")" => PeekOperator(")"),
        "}" => Peek is { Kind: ShellTokenKind.Word, Flags: 0, Text: "}" },
        _ => PeekOperator(")") || Peek is { Kind: ShellTokenKind.Word, Flags: 0, Text: "}" },
    };

    private void SkipNewlines()
    {
        while (Peek is { Kind: ShellTokenKind.Newline }) _i++;
    }

    /// <summary>list: and_or ((';' | '&amp;' | newline) and_or)*, up to <paramref name="closer"/> or the end.</summary>
    private void ParseList(Context context, string? closer)
    {
        while (_i < _tokens.Count)
        {
            var t = _tokens[_i];
            if (t.Kind == ShellTokenKind.Newline || (t.Kind == ShellTokenKind.Operator && t.Text is ";" or ";;" or "&"))
            {
                _i++;
                continue;
            }
            if (PeekCloser(closer)) return;
            var before = _i;
            var first = _script._commands.Count;
            ParseAndOr(context, closer);
            if (_i == before) { _i++; continue; } // no progress on an unexpected token: drop it.
            var connector = Peek switch
            {
                { Kind: ShellTokenKind.Newline } => ShellConnector.Sequence,
                { Kind: ShellTokenKind.Operator, Text: ";" or ";;" } => ShellConnector.Sequence,
                { Kind: ShellTokenKind.Operator, Text: "&" } => ShellConnector.Background,
                _ => ShellConnector.End,
            };
            SetLastConnector(first, context.Depth, connector);
        }
    }

    /// <summary>Sets the connector of the last command at this depth emitted since <paramref name="first"/>.</summary>
    private void SetLastConnector(int first, int depth, ShellConnector connector)
    {
        for (var k = _script._commands.Count - 1; k >= first; k--)
        {
            var command = _script._commands[k];
            if ((command.Nesting & (ShellNesting.CommandSubstitution | ShellNesting.ProcessSubstitution)) != 0 && command.Depth > depth) continue;
            // A command directly in this list takes the operator; one at the end of a nested group keeps its own unless it has none.
            if (command.Depth == depth || command.Connector == ShellConnector.End) command.Connector = connector;
            return;
        }
    }

    private void ParseAndOr(Context context, string? closer)
    {
        while (true)
        {
            var first = _script._commands.Count;
            ParsePipeline(context, closer);
            if (PeekOperator("&&") || PeekOperator("||"))
            {
                SetLastConnector(first, context.Depth, _tokens[_i].Text == "&&" ? ShellConnector.And : ShellConnector.Or);
                _i++;
                SkipNewlines();
                continue;
            }
            return;
        }
    }

    private void ParsePipeline(Context context, string? closer)
    {
        var pipeline = new ShellPipeline { Id = _script._nextPipeline++ };
        var stage = 0;
        while (true)
        {
            var chain = new ShellPipelinePosition[context.Pipelines.Length + 1];
            context.Pipelines.CopyTo(chain, 0);
            chain[^1] = new ShellPipelinePosition(pipeline, stage);
            var first = _script._commands.Count;
            var before = _i;
            ParseCommand(context with { Pipelines = chain }, closer);
            if ((PeekOperator("|") || PeekOperator("|&")) && _i > before)
            {
                SetLastConnector(first, context.Depth, ShellConnector.Pipe);
                _i++;
                SkipNewlines();
                stage++;
                continue;
            }
            pipeline.Stages = stage + 1;
            return;
        }
    }

    private void ParseCommand(Context context, string? closer)
    {
        // Reserved words in command position only open or close compound commands; the commands inside still count.
        while (Peek is { Kind: ShellTokenKind.Word, Flags: 0 } word)
        {
            if (SkippedReserved.Contains(word.Text)) { if (word.Text == "esac") _caseDepth = Math.Max(0, _caseDepth - 1); _i++; continue; }
            if (word.Text is "for" or "select")
            {
                // for NAME [in WORD…]: the header holds no command.
                while (Peek is { Kind: ShellTokenKind.Word } header && !(header.Flags == 0 && header.Text == "do")) _i++;
                return;
            }
            if (word.Text == "case")
            {
                _caseDepth++;
                _i++;
                while (Peek is { Kind: ShellTokenKind.Word } header) { _i++; if (header.Flags == 0 && header.Text == "in") break; }
                SkipNewlines();
                continue;
            }
            if (_caseDepth > 0 && _i + 1 < _tokens.Count && _tokens[_i + 1] is { Kind: ShellTokenKind.Operator, Text: ")" })
            {
                _i += 2; // a case pattern "pat)"
                continue;
            }
            break;
        }
        var t = Peek;
        if (t is null) return;
        if (t.Kind == ShellTokenKind.Operator && t.Text == "(")
        {
            _i++;
            ParseCompound(context, ShellNesting.Subshell, ")");
            return;
        }
        if (t is { Kind: ShellTokenKind.Word, Flags: 0, Text: "{" })
        {
            _i++;
            ParseCompound(context, ShellNesting.BraceGroup, "}");
            return;
        }
        if (t.Kind == ShellTokenKind.Word && _i + 2 < _tokens.Count
            && _tokens[_i + 1] is { Kind: ShellTokenKind.Operator, Text: "(" } && _tokens[_i + 2] is { Kind: ShellTokenKind.Operator, Text: ")" })
        {
            var name = t.Text;
            _script._functions.Add(name);
            _i += 3;
            SkipNewlines();
            if (context.Depth >= MaxDepth) { _script.DepthExceeded = true; return; }
            ParseCommand(context with { Nesting = context.Nesting | ShellNesting.FunctionBody, Function = name, Depth = context.Depth + 1 }, closer);
            return;
        }
        ParseSimpleCommand(context, closer);
    }

    private void ParseCompound(Context context, ShellNesting kind, string closer)
    {
        var first = _script._commands.Count;
        if (context.Depth >= MaxDepth)
        {
            // Too deep to follow: keep parsing the body at this depth instead of recursing further.
            _script.DepthExceeded = true;
            return;
        }
        ParseList(context with { Nesting = context.Nesting | kind, Depth = context.Depth + 1 }, closer);
        if (PeekCloser(closer)) _i++;
        var redirections = new List<ShellRedirection>();
        while (TryParseRedirection(context, -1, redirections)) { }
        if (redirections.Count == 0) return;
        for (var k = first; k < _script._commands.Count; k++)
            if (_script._commands[k].Depth > context.Depth) _script._commands[k]._redirections.AddRange(redirections);
    }

    private void ParseSimpleCommand(Context context, string? closer)
    {
        var start = Peek?.Start ?? _source.Length;
        var command = new ShellCommand(_source, start)
        {
            Nesting = context.Nesting, Depth = context.Depth, Parent = context.Parent, ParentWord = context.ParentWord,
            Function = context.Function, Pipelines = context.Pipelines,
        };
        var index = _script._commands.Count;
        _script._commands.Add(command);
        List<ShellWord>? words = null;
        List<ShellWord>? assignments = null;
        List<(ShellToken Token, int Word)>? withSubstitutions = null;
        var end = start;
        while (_i < _tokens.Count)
        {
            var t = _tokens[_i];
            if (t.Kind == ShellTokenKind.Newline) break;
            if (t.Kind == ShellTokenKind.Operator && !IsRedirection(t.Text)) break;
            if (t.Kind == ShellTokenKind.Word && words is null && closer is not null && t is { Flags: 0, Text: "}" } && closer == "}") break;
            if (t.Kind is ShellTokenKind.IoNumber or ShellTokenKind.Operator)
            {
                var before = command._redirections.Count;
                if (!TryParseRedirection(context, index, command._redirections)) { _i++; continue; }
                end = _tokens[_i - 1].End;
                continue;
            }
            _i++;
            end = t.End;
            if (words is null && IsAssignment(t))
            {
                (assignments ??= []).Add(t.AsWord());
                if (t._substitutions is not null) (withSubstitutions ??= []).Add((t, -1));
                continue;
            }
            words ??= [];
            if (t._substitutions is not null) (withSubstitutions ??= []).Add((t, words.Count));
            words.Add(t.AsWord());
        }
        command.Words = words is null ? [] : words.ToArray();
        command.Assignments = assignments is null ? [] : assignments.ToArray();
        command.End = end;
        if (command.Words.Count == 0 && command.Assignments.Count == 0 && command.Redirections.Count == 0)
        {
            _script._commands.RemoveAt(index);
            return;
        }
        if (withSubstitutions is null) return;
        foreach (var (token, word) in withSubstitutions) ParseSubstitutions(token, context, index, word);
    }

    private bool TryParseRedirection(Context context, int owner, List<ShellRedirection> into)
    {
        var t = Peek;
        if (t is null) return false;
        int? fd = null;
        var at = _i;
        if (t.Kind == ShellTokenKind.IoNumber)
        {
            fd = int.TryParse(t.Text, out var n) ? n : null;
            at++;
            if (at >= _tokens.Count) { _i = at; return true; }
            t = _tokens[at];
        }
        if (t.Kind != ShellTokenKind.Operator || !IsRedirection(t.Text)) return false;
        at++;
        if (at < _tokens.Count && _tokens[at].Kind == ShellTokenKind.Word)
        {
            var target = _tokens[at];
            into.Add(new ShellRedirection(fd, t.Text, target.AsWord(), target.HeredocBody));
            _i = at + 1;
            if (owner >= 0 && target._substitutions is not null) ParseSubstitutions(target, context, owner, -1);
            return true;
        }
        into.Add(new ShellRedirection(fd, t.Text, new ShellWord("", 0), null));
        _i = at;
        return true;
    }

    private void ParseSubstitutions(ShellToken token, Context context, int owner, int word)
    {
        foreach (var sub in token.Substitutions)
        {
            var nesting = sub.Kind == ShellSubstitutionKind.Process ? ShellNesting.ProcessSubstitution : ShellNesting.CommandSubstitution;
            if (context.Depth >= MaxDepth) { _script.DepthExceeded = true; return; }
            Parse(_script, sub.Tokens, sub.Source, context.Nesting | nesting, context.Depth + 1, owner, word, context.Function);
        }
    }

    private static bool IsRedirection(string op) =>
        op is ">" or ">>" or "<" or "<<" or "<<-" or "<<<" or "<&" or ">&" or "<>" or ">|" or "&>" or "&>>";

    /// <summary>§2.10.2 rule 7: NAME=value where NAME is unquoted and a valid name.</summary>
    private static bool IsAssignment(ShellToken t)
    {
        var text = t.Text;
        var eq = text.IndexOf('=');
        if (eq <= 0) return false;
        if (!(char.IsAsciiLetter(text[0]) || text[0] == '_')) return false;
        for (var k = 1; k < eq; k++)
        {
            var c = text[k];
            if (!(char.IsAsciiLetterOrDigit(c) || c == '_' || (c == '+' && k == eq - 1))) return false;
        }
        return true;
    }
}
