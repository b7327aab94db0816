using System.Collections.Concurrent;
using Vigil.Analysis.Cache;
using Vigil.Analysis.Providers;
using Vigil.Analysis.Rules;
using Vigil.Analysis.Static;
using Vigil.Analysis.Static.Postgres;
using Vigil.Pipeline;

namespace Vigil.Analysis;

/// <summary>How much of the analyzer a command gets.</summary>
public enum AnalysisDepth
{
    /// <summary>The static analyzer, raised by a cached provider verdict when one exists (native <c>static</c> mode, <c>vigil analyze --offline</c>).</summary>
    Static,
    /// <summary>Static first, then the provider unless the static verdict is a certain High or the verdict is cached.</summary>
    Provider,
}

/// <summary>
/// Classifies one command: the static analyzer first (a certain High ends it), then the verdict cache, then the
/// provider within the rule's timeout. The final level is max(static, provider); the action comes from the rule
/// (<c>allow</c> when the connection has none). A provider failure yields <c>source: error</c> with the rule's
/// <c>on_provider_error</c> action, never laxer than the action for the static level: nothing is silently allowed.
/// </summary>
public sealed class RiskAnalyzer(ActiveProvider provider, VerdictCache cache, StatementLimits limits, TimeProvider time)
{
    /// <summary>The title of a verdict the provider failed to give (<see cref="AnalysisSource.Error"/>).</summary>
    public const string ProviderFailedTitle = "Analyzer provider failed";

    private readonly ConcurrentDictionary<string, string> _promptHashes = new(StringComparer.Ordinal);

    /// <summary>Analyzes <paramref name="input"/> of <paramref name="type"/> for connection <paramref name="connectionName"/>.</summary>
    /// <param name="type">An <see cref="InputType"/>.</param>
    /// <param name="connectionName">Given to the provider as context (may be empty).</param>
    /// <param name="input">The command text.</param>
    /// <param name="rule">The connection's rule, or null.</param>
    /// <param name="depth">Whether the provider may be asked.</param>
    /// <param name="usage">The session's usage counters, or null.</param>
    /// <param name="postgres">For SQL, the session's lexical settings as the target reported them; null: defaults.</param>
    /// <param name="cancellationToken">Cancels the provider call.</param>
    public async ValueTask<AiAnalysis> AnalyzeAsync(
        string type, string connectionName, string input, AnalysisRule? rule, AnalysisDepth depth, AnalysisUsage? usage, PgLexerOptions? postgres,
        CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var length = input.Length;
        input = Bounded(input, limits.AnalysisMaxInput);
        var floor = StaticAnalyzer.Analyze(type, input, postgres);
        if (input.Length < length)
        {
            floor = TooLarge(floor, input.Length, length);
        }
        var current = provider.Get();
        if (current is null || (floor.Certain && floor.Level == RiskLevel.High))
        {
            return Static(floor, rule, started);
        }
        var settings = current.Settings;
        var key = new VerdictKey(type, StaticAnalyzer.Fingerprint(type, input, postgres), PromptHash(rule?.CustomPrompt), settings.Model);
        if (cache.TryGet(key) is { } cached)
        {
            usage?.CacheHit(settings.Provider, settings.Model);
            return Combine(floor, cached, AnalysisSource.Cache, settings, rule, started);
        }
        if (depth == AnalysisDepth.Static)
        {
            return Static(floor, rule, started);
        }
        var request = new ClassificationRequest(type, connectionName, input, rule?.CustomPrompt);
        try
        {
            var verdict = await current.Client.ClassifyAsync(request, TimeSpan.FromMilliseconds(rule?.TimeoutMs ?? RuleRequest.DefaultTimeoutMs), cancellationToken);
            cache.Set(key, verdict, settings.Provider);
            usage?.Called(settings.Provider, settings.Model, verdict.InputTokens, verdict.OutputTokens, time.GetElapsedTime(started));
            return Combine(floor, verdict, AnalysisSource.Llm, settings, rule, started);
        }
        catch (ProviderException e)
        {
            usage?.Failed(settings.Provider, settings.Model, time.GetElapsedTime(started));
            var action = rule is null ? AnalysisAction.Allow : AnalysisActions.Stricter(rule.OnProviderError, rule.RiskEvaluation.ActionFor(floor.Level));
            // The cause goes where people read (title, explanation, hence the review, the 42501 and the CLI), not only in error.
            return new AiAnalysis(
                floor.Level.Name(), ProviderFailedTitle,
                $"Not analyzed by the provider ({e.Message}); the rule's on_provider_error action applies. Static analysis alone: {floor.Level.Name()}, {floor.Title}. {floor.Explanation}",
                action.Name(), AnalysisSource.Error, settings.Provider, settings.Model, Elapsed(started), false, floor.Evidence, e.Message, rule?.Name);
        }
    }

    /// <summary>At most the first <paramref name="max"/> characters of <paramref name="input"/> (never half a surrogate pair).</summary>
    private static string Bounded(string input, int max) =>
        input.Length <= max ? input : input[..(char.IsHighSurrogate(input[max - 1]) ? max - 1 : max)];

    /// <summary>
    /// A command longer than the analyzer reads is at least medium: what it does past the prefix is unknown (and a
    /// medium found in the prefix may be the cut itself, such as a literal it splits). A high prefix keeps its verdict;
    /// the evidence says how much was analyzed either way.
    /// </summary>
    private static StaticVerdict TooLarge(StaticVerdict prefix, int analyzed, int length)
    {
        var evidence = $"analyzed the first {analyzed} of {length} characters" + (string.IsNullOrEmpty(prefix.Evidence) ? "" : $"; {prefix.Evidence}");
        return prefix.Level > RiskLevel.Medium
            ? prefix with { Evidence = evidence }
            : new StaticVerdict(
                RiskLevel.Medium,
                "Statement too large to analyze",
                $"The statement is {length} characters long; only its first {analyzed} were analyzed (\"{prefix.Title}\"), so what the rest does is unknown.",
                evidence,
                false);
    }

    private AiAnalysis Static(StaticVerdict floor, AnalysisRule? rule, long started) => new(
        floor.Level.Name(), floor.Title, floor.Explanation, ActionFor(rule, floor.Level).Name(), AnalysisSource.Static, null, null,
        Elapsed(started), false, floor.Evidence, null, rule?.Name);

    /// <summary>max(static, provider): the provider's words when it is at least as worried, else the floor's.</summary>
    private AiAnalysis Combine(StaticVerdict floor, ProviderVerdict verdict, string source, ProviderSettings settings, AnalysisRule? rule, long started)
    {
        var providerDecides = verdict.Level >= floor.Level;
        var level = providerDecides ? verdict.Level : floor.Level;
        return new AiAnalysis(
            level.Name(),
            providerDecides ? verdict.Title : floor.Title,
            providerDecides ? verdict.Explanation : floor.Explanation,
            ActionFor(rule, level).Name(),
            providerDecides ? source : AnalysisSource.Static,
            settings.Provider, settings.Model, Elapsed(started), source == AnalysisSource.Cache, floor.Evidence, null, rule?.Name);
    }

    private static AnalysisAction ActionFor(AnalysisRule? rule, RiskLevel level) => rule?.RiskEvaluation.ActionFor(level) ?? AnalysisAction.Allow;

    private string PromptHash(string? customPrompt) => _promptHashes.GetOrAdd(customPrompt ?? "", p => SystemPrompt.Hash(p.Length == 0 ? null : p));

    private double Elapsed(long started) => Math.Round(time.GetElapsedTime(started).TotalMilliseconds, 3);
}
