using Dapper;
using Vigil.Storage;

namespace Vigil.Audit;

/// <summary>The append-only audit log in the store's <c>audit_logs</c> table. Writes are synchronous with the request: an audited change is never acknowledged without its record.</summary>
public sealed class AuditLog(SqliteStore store)
{
    /// <summary>Appends <paramref name="entry"/>.</summary>
    public async Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        await using var db = await store.OpenAsync(cancellationToken);
        await db.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO audit_logs (at, actor_id, actor, action, resource_type, resource, outcome, status_code, source_address, request)
            VALUES (@at, @ActorId, @Actor, @Action, @ResourceType, @Resource, @Outcome, @StatusCode, @SourceAddress, @Request)
            """,
            new
            {
                at = Rfc3339.Format(entry.At), entry.ActorId, entry.Actor, entry.Action, entry.ResourceType, entry.Resource,
                entry.Outcome, entry.StatusCode, entry.SourceAddress, entry.Request,
            },
            cancellationToken: cancellationToken));
    }
}
