using Vigil.Analysis;

namespace Vigil.Sessions;

/// <summary>Kinds of recorded session events.</summary>
public static class SessionEventKind
{
    /// <summary>A native protocol statement (text, parameter count, duration, tag, rows, SQLSTATE).</summary>
    public const string Statement = "statement";
    /// <summary>
    /// The script of an exec session; on a connection with <c>recording: strict</c>, also each native statement (Query
    /// or Parse) as received, written durably before it was forwarded (its outcome follows as a <c>statement</c> event).
    /// </summary>
    public const string Input = "input";
    /// <summary>The printed output of an exec session.</summary>
    public const string Output = "output";
    /// <summary>A command the pipeline refused, with the reason in <c>message</c>.</summary>
    public const string Blocked = "blocked";
    /// <summary>A command allowed by an approved review (the review and its approvers in <c>message</c>).</summary>
    public const string Approved = "approved";
}

/// <summary>
/// One recorded event of a session, in the order the session produced them (<see cref="Seq"/> from 1). A statement
/// text longer than the recording cap is stored cut (<see cref="RecordedText"/>) with <see cref="TextLength"/> and
/// <see cref="TextSha256"/> of the whole. A statement that returned rows carries its <see cref="Result"/> (columns, the
/// first rows after masking, the row count, whether rows were left out; see <see cref="ResultCollector"/>), null when it
/// returned none or result recording is off for the connection; <see cref="Notices"/> holds the NoticeResponse and
/// ErrorResponse messages the client saw for it (after masking), null when there were none.
/// </summary>
public sealed record SessionEvent(
    string SessionId,
    int Seq,
    DateTimeOffset At,
    string Kind,
    string? Text,
    int? ParameterCount = null,
    long? DurationUs = null,
    string? CommandTag = null,
    long? Rows = null,
    string? SqlState = null,
    string? Message = null,
    AiAnalysis? Analysis = null,
    long? TextLength = null,
    string? TextSha256 = null,
    RecordedResult? Result = null,
    IReadOnlyList<RecordedNotice>? Notices = null);

/// <summary>The session's worst analysis changed (<c>sessions.ai_analysis</c> and <c>risk_level</c>).</summary>
public sealed record SessionAnalysisChange(string SessionId, AiAnalysis Analysis);

/// <summary>
/// How many values of each entity type (Presidio's names, e.g. <c>EMAIL_ADDRESS</c>) the session has masked so far
/// (<c>sessions.masking_info</c>): absolute counts, the last change wins, so the sender may coalesce. Never values.
/// </summary>
public sealed record SessionMaskingChange(string SessionId, IReadOnlyDictionary<string, long> Counts);

/// <summary>A guardrail violation in the session, appended to its <c>guardrails_info</c> in the order they happened.</summary>
public sealed record SessionGuardrailViolation(string SessionId, GuardrailInfo Info);

/// <summary>An ended exec session runs again: its approved command is executed (status back to open).</summary>
public sealed record SessionReopen(string SessionId);

/// <summary>The final state of a session.</summary>
public sealed record SessionClose(string SessionId, string Status, int? ExitCode, string? Reason, DateTimeOffset EndedAt);
