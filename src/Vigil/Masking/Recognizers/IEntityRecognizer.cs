namespace Vigil.Masking.Recognizers;

/// <summary>
/// Finds the values of one entity type in a text, in process, as a Presidio recognizer does (pattern, then
/// validation such as a checksum, then context words near the match raising the score).
/// </summary>
public interface IEntityRecognizer
{
    /// <summary>The Presidio entity type this recognizer finds (<see cref="PresidioEntityTypes"/>).</summary>
    string EntityType { get; }

    /// <summary>Appends every match in <paramref name="text"/> to <paramref name="matches"/> (any score; callers filter by threshold).</summary>
    void Recognize(string text, List<EntityMatch> matches);
}
