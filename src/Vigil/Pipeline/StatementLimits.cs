namespace Vigil.Pipeline;

/// <summary>
/// How much of one command the gateway works on, so its cost is bounded whatever the client sends (both in characters,
/// UTF-16 code units: bytes for ASCII SQL).
/// </summary>
/// <param name="AnalysisMaxInput">
/// The analyzer reads at most this prefix (<c>VIGIL_ANALYSIS_MAX_INPUT</c>; default 1 Mi); a longer command is rated at
/// least medium and its evidence says how much was analyzed.
/// </param>
/// <param name="RecordingMaxText">
/// A recorded statement keeps at most this prefix (<c>VIGIL_RECORDING_MAX_TEXT</c>; default 64 Ki) plus the whole
/// text's length and SHA-256 (<see cref="Sessions.RecordedText"/>).
/// </param>
public sealed record StatementLimits(int AnalysisMaxInput = StatementLimits.DefaultAnalysisMaxInput, int RecordingMaxText = Sessions.RecordedText.DefaultMaxLength)
{
    /// <summary>Default <see cref="AnalysisMaxInput"/>: 1 Mi characters.</summary>
    public const int DefaultAnalysisMaxInput = 1024 * 1024;
}
