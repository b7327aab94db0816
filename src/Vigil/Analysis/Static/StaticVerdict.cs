namespace Vigil.Analysis.Static;

/// <summary>
/// The deterministic analyzer's verdict on one input.
/// </summary>
/// <param name="Level">The risk level.</param>
/// <param name="Title">At most 4 words, e.g. "Mass delete".</param>
/// <param name="Explanation">At most 30 words a reviewer can read, naming what was found.</param>
/// <param name="Evidence">The construct that drove the level, quoted from the input where possible (e.g.
/// <c>DELETE FROM users (no WHERE)</c>); empty for a plain Low.</param>
/// <param name="Certain">True when the analyzer is sure (a High from an unambiguous construct): the LLM call is skipped.</param>
public sealed record StaticVerdict(RiskLevel Level, string Title, string Explanation, string Evidence, bool Certain);
