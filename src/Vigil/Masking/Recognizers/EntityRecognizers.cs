using System.Collections.Frozen;

namespace Vigil.Masking.Recognizers;

/// <summary>
/// The built-in recognizers, one per Presidio entity type that has content to recognize (all of
/// <see cref="PresidioEntityTypes.All"/> except <see cref="PresidioEntityTypes.Person"/> and
/// <see cref="PresidioEntityTypes.Location"/>, which only column rules mask). Instances are stateless and thread-safe.
/// </summary>
public static class EntityRecognizers
{
    /// <summary>Every built-in recognizer, in <see cref="PresidioEntityTypes.All"/> order.</summary>
    public static readonly IReadOnlyList<EntityRecognizer> All =
    [
        new EmailRecognizer(), new PhoneNumberRecognizer(), new CreditCardRecognizer(), new UsSsnRecognizer(),
        new IbanRecognizer(), new IpAddressRecognizer(), new CryptoRecognizer(), new UrlRecognizer(),
        new MacAddressRecognizer(), new UsBankNumberRecognizer(), new UsPassportRecognizer(),
        new UsDriverLicenseRecognizer(), new UkNhsRecognizer(), new DateTimeRecognizer(),
    ];

    private static readonly FrozenDictionary<string, EntityRecognizer> ByType =
        All.ToFrozenDictionary(r => r.EntityType, StringComparer.Ordinal);

    /// <summary>
    /// The recognizer of <paramref name="entityType"/> (a Presidio name, exact case), or null for PERSON, LOCATION and
    /// any name Vigil has no recognizer for.
    /// </summary>
    public static EntityRecognizer? For(string entityType) => ByType.GetValueOrDefault(entityType);

    /// <summary>
    /// Runs <paramref name="recognizers"/> over <paramref name="text"/> and appends to <paramref name="results"/> the
    /// matches scoring at least <paramref name="scoreThreshold"/>, with Presidio's conflict resolution across entity
    /// types (its anonymizer's): a match contained in another match of at least its score is dropped (so "example.com"
    /// inside an e-mail address is not also a URL), as is an identical span of lower score. Partly overlapping matches of
    /// different types are both kept (masking their union hides both). <paramref name="context"/> is extra context
    /// text (e.g. the column name) passed to recognizers derived from <see cref="EntityRecognizer"/>.
    /// </summary>
    public static void Analyze(string text, IReadOnlyList<IEntityRecognizer> recognizers, double scoreThreshold, List<EntityMatch> results, string? context = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(recognizers);
        ArgumentNullException.ThrowIfNull(results);
        var first = results.Count;
        // An index loop: foreach over the interface boxes an enumerator on every value scanned.
        for (var r = 0; r < recognizers.Count; r++)
        {
            var recognizer = recognizers[r];
            var before = results.Count;
            if (recognizer is EntityRecognizer builtIn)
            {
                builtIn.Recognize(text, context, results);
            }
            else
            {
                recognizer.Recognize(text, results);
            }
            for (var i = results.Count - 1; i >= before; i--)
            {
                if (results[i].Score < scoreThreshold)
                {
                    results.RemoveAt(i);
                }
            }
        }
        Containment.RemoveContained(results, first);
    }
}
