using System.Globalization;
using System.Text;
using System.Text.Json;
using Vigil.Masking.Recognizers;
using Xunit.Abstractions;

namespace Vigil.Tests.Masking;

/// <summary>
/// The built-in recognizers on the labeled corpus (masking-corpus.jsonl: <c>{text, entities:[{type, value}]}</c>, every
/// entity a reader would call one labeled, near misses with none), all recognizers on, through
/// <see cref="EntityRecognizers.Analyze"/> at <see cref="Threshold"/>. A found span counts as a true positive when it
/// overlaps a labeled value of its type; a labeled value is recalled when a found span of its type overlaps it.
/// </summary>
public sealed class RecognizerAccuracyTests(ITestOutputHelper output)
{
    /// <summary>
    /// Presidio's <c>min_score_with_context_similarity</c>: the lowest score at which a match counts, so a weak pattern
    /// counts exactly when a context word raised it, and libphonenumber's 0.4 counts without context.
    /// </summary>
    public const double Threshold = ContextEnhancer.MinScoreWithContext;

    private static readonly string[] ChecksumBacked =
    [
        PresidioEntityTypes.CreditCard, PresidioEntityTypes.IbanCode, PresidioEntityTypes.Crypto, PresidioEntityTypes.UkNhs,
        PresidioEntityTypes.UsSsn, PresidioEntityTypes.IpAddress, PresidioEntityTypes.EmailAddress,
    ];

    /// <summary>One labeled text.</summary>
    public sealed record Row(string Text, IReadOnlyList<(string Type, int Start, int Length)> Entities);

    /// <summary>Per entity type: true positives, false positives, false negatives.</summary>
    public sealed class Counts
    {
        public int TruePositives { get; set; }
        public int FalsePositives { get; set; }
        public int FalseNegatives { get; set; }
        public double Precision => TruePositives + FalsePositives == 0 ? 1 : (double)TruePositives / (TruePositives + FalsePositives);
        public double Recall => TruePositives + FalseNegatives == 0 ? 1 : (double)TruePositives / (TruePositives + FalseNegatives);
    }

    /// <summary>Every row of the corpus, each labeled value located in its text.</summary>
    public static IReadOnlyList<Row> Load()
    {
        var path = Path.Combine(AppContext.BaseDirectory, "Masking", "masking-corpus.jsonl");
        return File.ReadLines(path).Where(l => !string.IsNullOrWhiteSpace(l)).Select(line =>
        {
            using var json = JsonDocument.Parse(line);
            var text = json.RootElement.GetProperty("text").GetString()!;
            var entities = new List<(string, int, int)>();
            var searchFrom = new Dictionary<string, int>();
            foreach (var entity in json.RootElement.GetProperty("entities").EnumerateArray())
            {
                var type = entity.GetProperty("type").GetString()!;
                var value = entity.GetProperty("value").GetString()!;
                var start = text.IndexOf(value, searchFrom.GetValueOrDefault(value), StringComparison.Ordinal);
                start.Should().BeGreaterThanOrEqualTo(0, "the labeled value {0} must occur in {1}", value, text);
                searchFrom[value] = start + value.Length;
                PresidioEntityTypes.All.Should().Contain(type, line);
                entities.Add((type, start, value.Length));
            }
            return new Row(text, entities);
        }).ToList();
    }

    /// <summary>Runs every recognizer over the corpus and counts per entity type; <paramref name="misses"/> lists each error.</summary>
    public static SortedDictionary<string, Counts> Evaluate(IReadOnlyList<Row> rows, double threshold, StringBuilder misses)
    {
        var counts = new SortedDictionary<string, Counts>(StringComparer.Ordinal);
        foreach (var recognizer in EntityRecognizers.All)
        {
            counts[recognizer.EntityType] = new Counts();
        }
        var found = new List<EntityMatch>();
        foreach (var row in rows)
        {
            found.Clear();
            EntityRecognizers.Analyze(row.Text, EntityRecognizers.All, threshold, found);
            foreach (var match in found)
            {
                var hit = row.Entities.Any(e => e.Type == match.EntityType && Overlaps(e.Start, e.Length, match.Start, match.Length));
                if (hit)
                {
                    counts[match.EntityType].TruePositives++;
                }
                else
                {
                    counts[match.EntityType].FalsePositives++;
                    misses.AppendLine(CultureInfo.InvariantCulture, $"FP {match.EntityType} {match.Score:0.00} '{row.Text.Substring(match.Start, match.Length)}' in: {row.Text}");
                }
            }
            foreach (var entity in row.Entities)
            {
                if (!found.Any(m => m.EntityType == entity.Type && Overlaps(entity.Start, entity.Length, m.Start, m.Length)))
                {
                    counts[entity.Type].FalseNegatives++;
                    misses.AppendLine(CultureInfo.InvariantCulture, $"FN {entity.Type} '{row.Text.Substring(entity.Start, entity.Length)}' in: {row.Text}");
                }
            }
        }
        return counts;
    }

    /// <summary>The per-type table as Markdown (the form docs/masking.md shows).</summary>
    public static string Table(SortedDictionary<string, Counts> counts)
    {
        var table = new StringBuilder();
        table.AppendLine("| entity type | TP | FP | FN | precision | recall |");
        table.AppendLine("| --- | ---: | ---: | ---: | ---: | ---: |");
        foreach (var (type, c) in counts)
        {
            table.AppendLine(CultureInfo.InvariantCulture, $"| {type} | {c.TruePositives} | {c.FalsePositives} | {c.FalseNegatives} | {c.Precision:0.000} | {c.Recall:0.000} |");
        }
        var tp = counts.Values.Sum(c => c.TruePositives);
        var fp = counts.Values.Sum(c => c.FalsePositives);
        var fn = counts.Values.Sum(c => c.FalseNegatives);
        table.AppendLine(CultureInfo.InvariantCulture, $"| **all** | {tp} | {fp} | {fn} | {(double)tp / (tp + fp):0.000} | {(double)tp / (tp + fn):0.000} |");
        return table.ToString();
    }

    [Fact]
    public void Corpus_has_at_least_300_texts_with_positives_of_every_recognized_type()
    {
        var rows = Load();
        rows.Count.Should().BeGreaterThanOrEqualTo(300);
        rows.SelectMany(r => r.Entities).Select(e => e.Type).Distinct()
            .Should().BeEquivalentTo(EntityRecognizers.All.Select(r => r.EntityType));
        rows.Count(r => r.Entities.Count == 0).Should().BeGreaterThanOrEqualTo(100, "near misses are half the point");
    }

    [Fact]
    public void Checksum_backed_types_and_overall_precision_meet_the_bar()
    {
        var misses = new StringBuilder();
        var counts = Evaluate(Load(), Threshold, misses);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"score threshold {Threshold}"));
        output.WriteLine(Table(counts));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"score threshold 0.5 (for comparison)"));
        output.WriteLine(Table(Evaluate(Load(), 0.5, new StringBuilder())));
        output.WriteLine(misses.ToString());
        foreach (var type in ChecksumBacked)
        {
            counts[type].Precision.Should().BeGreaterThanOrEqualTo(0.95, "{0} precision; errors:\n{1}", type, misses);
            counts[type].Recall.Should().BeGreaterThanOrEqualTo(0.95, "{0} recall; errors:\n{1}", type, misses);
        }
        var tp = counts.Values.Sum(c => c.TruePositives);
        var fp = counts.Values.Sum(c => c.FalsePositives);
        ((double)tp / (tp + fp)).Should().BeGreaterThanOrEqualTo(0.9, "overall precision; errors:\n{0}", misses);
    }

    private static bool Overlaps(int aStart, int aLength, int bStart, int bLength) =>
        aStart < bStart + bLength && bStart < aStart + aLength;
}
