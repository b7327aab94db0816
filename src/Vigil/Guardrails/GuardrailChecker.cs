using Vigil.Analysis;
using Vigil.Analysis.Static.Postgres;

namespace Vigil.Guardrails;

/// <summary>
/// The guardrails of one connection, compiled (<see cref="GuardrailSet.ForConnection"/>): every guardrail naming the
/// connection, by name, each with its rules in order. Immutable and thread-safe; one instance serves every session of
/// the connection until the guardrails change.
/// </summary>
public sealed class GuardrailChecker
{
    private readonly CompiledRule[] _input;
    private readonly CompiledRule[] _output;
    private readonly bool _inputHasWords;

    /// <summary>Compiles <paramref name="guardrails"/> (normally done by <see cref="GuardrailSet"/> on every change).</summary>
    /// <exception cref="ArgumentException">A pattern does not compile (validated guardrails never have one).</exception>
    public GuardrailChecker(IEnumerable<Guardrail> guardrails)
    {
        var ordered = guardrails.OrderBy(g => g.Name, StringComparer.Ordinal).ToList();
        _input = ordered.SelectMany(g => g.InputRules.Select((r, i) => new CompiledRule(g.Name, GuardrailDirection.Input, i, r))).ToArray();
        _output = ordered.SelectMany(g => g.OutputRules.Select((r, i) => new CompiledRule(g.Name, GuardrailDirection.Output, i, r))).ToArray();
        _inputHasWords = _input.Any(r => r.IsWords);
        Guardrails = ordered.Select(g => g.Name).ToArray();
    }

    /// <summary>The names of the guardrails applied, in the order their rules run.</summary>
    public IReadOnlyList<string> Guardrails { get; }

    /// <summary>True when any input rule applies (else <see cref="CheckInput"/> always answers null).</summary>
    public bool HasInputRules => _input.Length > 0;

    /// <summary>True when any output rule applies (else <see cref="CreateOutputScanner"/> answers null).</summary>
    public bool HasOutputRules => _output.Length > 0;

    /// <summary>
    /// Checks one command before it is analyzed or sent: the first rule (guardrails by name, rules in order) that
    /// matches, as a violation with direction <c>input</c>; null when none does.
    /// </summary>
    /// <param name="type">The connection's type (<see cref="InputType"/>). For <c>postgres</c> deny words are looked
    /// for in the lexed command (<see cref="SqlTextViews"/>): a rule with <c>match_in: code</c> counts only code, one with
    /// <c>match_in: all</c> also string constants and comments (code first, then strings, then comments), and the
    /// violation says where (<c>in</c>). Any other type is all code.</param>
    /// <param name="command">The command text as the client sent it (a SQL statement or script, a shell command line…).</param>
    /// <param name="postgres">The session's lexical settings for <c>postgres</c> (its <c>standard_conforming_strings</c>);
    /// null is <see cref="PgLexerOptions.Standard"/>.</param>
    /// <remarks>Patterns (<c>pattern_match</c>) match the raw command. A pattern that exceeds its match timeout is a
    /// violation (fail closed).</remarks>
    public GuardrailViolation? CheckInput(string type, string command, PgLexerOptions? postgres = null)
    {
        if (_input.Length == 0)
        {
            return null;
        }
        var views = _inputHasWords && type == InputType.Postgres ? new SqlTextViews(command, postgres ?? PgLexerOptions.Standard) : null;
        foreach (var rule in _input)
        {
            if (!rule.IsWords || views is null)
            {
                if (rule.Find(command, GuardrailMatchLocation.Code) is { } violation)
                {
                    return violation;
                }
                continue;
            }
            var found = rule.Find(views.Code, GuardrailMatchLocation.Code);
            if (found is null && rule.MatchIn == MatchIn.All)
            {
                found = rule.Find(views.Strings, GuardrailMatchLocation.String) ?? rule.Find(views.Comments, GuardrailMatchLocation.Comment);
            }
            if (found is not null)
            {
                return found;
            }
        }
        return null;
    }

    /// <summary>
    /// A scanner for one result stream (a statement's rows, a COPY, an exec output), or null when no output rule
    /// applies. Make one per result; it is not shared between results.
    /// </summary>
    public GuardrailOutputScanner? CreateOutputScanner() => _output.Length == 0 ? null : new GuardrailOutputScanner(_output);
}
