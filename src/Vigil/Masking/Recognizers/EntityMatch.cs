namespace Vigil.Masking.Recognizers;

/// <summary>
/// One value a recognizer found in a text: the Presidio entity type, where it is (UTF-16 offsets into the scanned
/// string) and how sure the recognizer is (0 to 1, after context words raised it), as Presidio's <c>RecognizerResult</c>.
/// </summary>
/// <param name="EntityType">A Presidio entity type name (<see cref="PresidioEntityTypes"/>) or a custom entity's name.</param>
/// <param name="Start">Offset of the first character, in UTF-16 code units.</param>
/// <param name="Length">Length in UTF-16 code units.</param>
/// <param name="Score">Confidence, 0 to 1.</param>
public readonly record struct EntityMatch(string EntityType, int Start, int Length, double Score);
