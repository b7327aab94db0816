namespace Vigil.Audit;

/// <summary>
/// One audit log record: who (<paramref name="ActorId"/>, <paramref name="Actor"/>: e-mail, service-account name or
/// <c>anonymous</c>), when, the <paramref name="Action"/> (<c>create</c>, <c>update</c>, <c>delete</c>, <c>login</c>, …)
/// on <paramref name="ResourceType"/>/<paramref name="Resource"/>, the <paramref name="Outcome"/> (<c>success</c> or
/// <c>failure</c>) with the HTTP status, the caller's address and the request body with secrets redacted (JSON text).
/// </summary>
public sealed record AuditEntry(
    DateTimeOffset At,
    string? ActorId,
    string Actor,
    string Action,
    string ResourceType,
    string? Resource,
    string Outcome,
    int StatusCode,
    string? SourceAddress,
    string? Request);
