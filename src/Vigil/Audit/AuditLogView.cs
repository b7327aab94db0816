using System.Text.Json;

namespace Vigil.Audit;

/// <summary>
/// One audit log record as the API shows it (<c>GET /api/audit/logs</c>): <paramref name="Id"/> grows with every
/// append, <paramref name="At"/> is RFC 3339 UTC, <paramref name="Outcome"/> is <c>success</c> (2xx) or <c>failure</c>,
/// and <paramref name="Request"/> is the redacted request body as a JSON value (see <see cref="AuditRedaction"/>),
/// null when the request had none.
/// </summary>
public sealed record AuditLogView(
    long Id,
    string At,
    string Actor,
    string? ActorId,
    string Action,
    string ResourceType,
    string? Resource,
    string Outcome,
    int StatusCode,
    string? SourceAddress,
    JsonElement? Request);
