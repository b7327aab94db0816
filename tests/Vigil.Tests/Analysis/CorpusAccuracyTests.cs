using System.Text;
using System.Text.Json;
using Vigil.Analysis;
using Vigil.Analysis.Static;

namespace Vigil.Tests.Analysis;

/// <summary>
/// The static analyzer on the labeled corpus (the repository's copy of ../shared/risk-corpus/public.jsonl), every
/// type through the gateway's entry point: every High is High, nothing High or Medium is Low, exact accuracy ≥ 90 %,
/// and every verdict keeps the title (4 words) and explanation (30 words) limits and names its evidence when not Low.
/// </summary>
public sealed class CorpusAccuracyTests
{
    /// <summary>One labeled row: <c>{type, input, risk_level, why}</c>.</summary>
    public sealed record Row(string Type, string Input, RiskLevel Expected, string Why);

    /// <summary>Every row of the corpus copy in the test output folder.</summary>
    public static IReadOnlyList<Row> Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Analysis", "TestData", "risk-corpus.jsonl");
        return File.ReadLines(path).Where(l => !string.IsNullOrWhiteSpace(l)).Select(line =>
        {
            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            RiskLevels.TryParse(root.GetProperty("risk_level").GetString(), out var level).Should().BeTrue(line);
            return new Row(root.GetProperty("type").GetString()!, root.GetProperty("input").GetString()!, level,
                root.TryGetProperty("why", out var why) ? why.GetString() ?? "" : "");
        }).ToList();
    }

    [Fact]
    public void Every_type_meets_the_accuracy_bar()
    {
        var rows = Load();
        rows.Select(r => r.Type).Distinct().Should().BeEquivalentTo(InputType.All);
        var misses = new StringBuilder();
        var exact = 0;
        var unsafeMisses = 0;
        foreach (var row in rows)
        {
            var verdict = StaticAnalyzer.Analyze(row.Type, row.Input);
            if (verdict.Level == row.Expected)
            {
                exact++;
                continue;
            }
            if (row.Expected == RiskLevel.High || (row.Expected == RiskLevel.Medium && verdict.Level == RiskLevel.Low))
            {
                unsafeMisses++;
            }
            misses.AppendLine($"[{row.Type}] expected {row.Expected.Name()} got {verdict.Level.Name()} ({verdict.Title}; {verdict.Evidence}): {row.Input.ReplaceLineEndings(" ")} -- {row.Why}");
        }
        unsafeMisses.Should().Be(0, "High recall must be 100 % and nothing risky may be Low:\n{0}", misses);
        ((double)exact / rows.Count).Should().BeGreaterThanOrEqualTo(0.9, "exact {0}/{1}; misses:\n{2}", exact, rows.Count, misses);
    }

    [Fact]
    public void Every_verdict_is_readable_and_names_its_evidence()
    {
        foreach (var row in Load())
        {
            var verdict = StaticAnalyzer.Analyze(row.Type, row.Input);
            verdict.Title.Split(' ', StringSplitOptions.RemoveEmptyEntries).Should().HaveCountLessThanOrEqualTo(4, row.Input).And.NotBeEmpty();
            verdict.Explanation.Split(' ', StringSplitOptions.RemoveEmptyEntries).Should().HaveCountLessThanOrEqualTo(30, row.Input).And.NotBeEmpty();
            if (verdict.Level != RiskLevel.Low)
            {
                verdict.Evidence.Should().NotBeNullOrWhiteSpace(row.Input);
            }
        }
    }
}
