using System.Text.RegularExpressions;

namespace Vigil.Masking.Recognizers;

/// <summary>
/// The in-process recognizer of each Presidio entity type. This minimal registry knows <c>EMAIL_ADDRESS</c> only
/// (the recognizers' own branch replaces it with every type); <c>PERSON</c> and <c>LOCATION</c> have none.
/// </summary>
public static partial class EntityRecognizers
{
    private static readonly IEntityRecognizer Email = new EmailRecognizer();

    /// <summary>The shared, thread-safe recognizer of <paramref name="entityType"/>, or null when it has none.</summary>
    public static IEntityRecognizer? For(string entityType) => entityType == PresidioEntityTypes.EmailAddress ? Email : null;

    private sealed partial class EmailRecognizer : IEntityRecognizer
    {
        public string EntityType => PresidioEntityTypes.EmailAddress;

        public void Recognize(string text, List<EntityMatch> matches)
        {
            foreach (var match in Pattern().EnumerateMatches(text))
            {
                matches.Add(new EntityMatch(EntityType, match.Index, match.Length, 1.0));
            }
        }

        [GeneratedRegex(@"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}", RegexOptions.CultureInvariant)]
        private static partial Regex Pattern();
    }
}
