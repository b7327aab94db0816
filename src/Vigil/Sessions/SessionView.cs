using Vigil.Analysis;
using Vigil.Reviews;

namespace Vigil.Sessions;

/// <summary>
/// The API shape of a session (<c>GET /api/sessions/{id}</c>). <c>ai_analysis</c> is the worst analysis among its
/// commands (null when none was analyzed); <c>review</c> the latest review it opened; <c>output</c> is the exec
/// output; <c>events</c> is filled on the detail route only. <c>events_lost</c> counts events the recorder could not
/// write; it is null (unknown) for an <c>interrupted</c> session, whose gateway stopped before it could write its last
/// batch. <c>masking_info</c> counts the values masked per entity type (<c>{"EMAIL_ADDRESS": 3}</c>, <c>{}</c> when
/// none, never values); <c>guardrails_info</c> lists the guardrail violations in order (<c>[{rule, direction,
/// matched}]</c>, <c>[]</c> when none). <c>has_terminal</c> is true when the session recorded a terminal stream (an SSH shell,
/// <c>kubectl exec</c>): <c>GET /api/sessions/{id}/terminal</c> serves it as asciicast v2. <c>client_name</c> and <c>client_version</c> are what an MCP client reported in its
/// <c>initialize</c> handshake and <c>tool</c> the MCP tool that opened the session (type <c>mcp</c>; null otherwise).
/// </summary>
public sealed record SessionView(
    string Id,
    string Type,
    string Connection,
    string ConnectionType,
    string User,
    string UserId,
    string? ClientUser,
    string? ClientAddress,
    string? ClientName,
    string? ClientVersion,
    string? Tool,
    string Status,
    int? ExitCode,
    string? Reason,
    int EventCount,
    int? EventsLost,
    string StartedAt,
    string? EndedAt,
    string? Output,
    AiAnalysis? AiAnalysis,
    ReviewRef? Review,
    IReadOnlyDictionary<string, long> MaskingInfo,
    IReadOnlyList<GuardrailInfo> GuardrailsInfo,
    IReadOnlyList<SessionEventView>? Events,
    bool HasTerminal = false);

/// <summary>
/// The API shape of one event: <c>{seq, at, kind, text, parameter_count, duration_us, command_tag, rows, sqlstate, message,
/// ai_analysis, text_length, text_sha256}</c>; the last two are set when <c>text</c> was cut at the recording cap
/// (the whole text's length in characters and the SHA-256 hex of its UTF-8 bytes). <c>result</c> is the statement's
/// recorded result <c>{columns:[{name, type}], rows:[[…]], row_count, truncated}</c> (<see cref="RecordedResult"/>) and
/// <c>notices</c> the notices and errors the client saw <c>[{severity, sqlstate, message, detail}]</c>; both are null
/// when the event has none.
/// </summary>
public sealed record SessionEventView(
    int Seq,
    string At,
    string Kind,
    string? Text,
    int? ParameterCount,
    long? DurationUs,
    string? CommandTag,
    long? Rows,
    string? Sqlstate,
    string? Message,
    AiAnalysis? AiAnalysis,
    long? TextLength = null,
    string? TextSha256 = null,
    RecordedResult? Result = null,
    IReadOnlyList<RecordedNotice>? Notices = null);

/// <summary>
/// One connection's activity over a period (<see cref="SessionRepository.ActivityAsync"/>): counts of sessions, blocked
/// sessions, high-risk sessions and reviews opened, in total and per UTC day (<see cref="Days"/>: days with activity, in order).
/// </summary>
public sealed record ConnectionActivity(string Connection, long Sessions, long Blocked, long HighRisk, long Reviews, IReadOnlyList<DayActivity> Days);

/// <summary>One connection's activity on one UTC <see cref="Day"/>.</summary>
public sealed record DayActivity(DateOnly Day, long Sessions, long Blocked, long HighRisk, long Reviews);
