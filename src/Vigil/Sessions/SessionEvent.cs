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
/// <see cref="TextSha256"/> of the whole.
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
    string? TextSha256 = null);

/// <summary>The session's worst analysis changed (<c>sessions.ai_analysis</c> and <c>risk_level</c>).</summary>
public sealed record SessionAnalysisChange(string SessionId, AiAnalysis Analysis);

/// <summary>An ended exec session runs again: its approved command is executed (status back to open).</summary>
public sealed record SessionReopen(string SessionId);

/// <summary>The final state of a session.</summary>
public sealed record SessionClose(string SessionId, string Status, int? ExitCode, string? Reason, DateTimeOffset EndedAt);
