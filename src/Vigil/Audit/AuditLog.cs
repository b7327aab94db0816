using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Dapper;
using Vigil.Storage;

namespace Vigil.Audit;

/// <summary>The append-only audit log in the store's <c>audit_logs</c> table. Writes are synchronous with the request: an audited change is never acknowledged without its record.</summary>
public sealed class AuditLog(SqliteStore store)
{
    /// <summary>Outcome of a request answered with a 2xx status.</summary>
    public const string Success = "success";

    /// <summary>Outcome of every other request, including one that failed with an exception (recorded as 500), and of a 2xx whose action failed (<see cref="AuditRecorder.Annotate"/>).</summary>
    public const string Failure = "failure";

    /// <summary>Rows per query while <see cref="ExportAsync"/> streams.</summary>
    private const int ExportBatch = 500;

    private const string Columns = "id, at, actor, actor_id, action, resource_type, resource, outcome, status_code, source_address, request";

    /// <summary>
    /// Appends <paramref name="entry"/>. Its <see cref="AuditEntry.Request"/> goes through <see cref="AuditRedaction"/>
    /// once more (a no-op on text it produced), so no caller can store a secret or a non-JSON body by mistake.
    /// </summary>
    public async Task AppendAsync(AuditEntry entry, CancellationToken cancellationToken)
    {
        var request = entry.Request is null ? null : Encoding.UTF8.GetBytes(entry.Request);
        await using var db = await store.OpenAsync(cancellationToken);
        await db.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO audit_logs (at, actor_id, actor, action, resource_type, resource, outcome, status_code, source_address, request)
            VALUES (@at, @ActorId, @Actor, @Action, @ResourceType, @Resource, @Outcome, @StatusCode, @SourceAddress, @Request)
            """,
            new
            {
                at = Rfc3339.Format(entry.At), entry.ActorId, entry.Actor, entry.Action, entry.ResourceType, entry.Resource,
                entry.Outcome, entry.StatusCode, entry.SourceAddress,
                Request = request is null ? null : AuditRedaction.Redact(request, request.Length),
            },
            cancellationToken: cancellationToken));
    }

    /// <summary>A page of the records matching <paramref name="query"/>, newest first, and how many match in all.</summary>
    public async Task<(IReadOnlyList<AuditLogView> Items, long Total)> ListAsync(AuditQuery query, CancellationToken cancellationToken)
    {
        var where = Where(query);
        var args = where.Args;
        args.Add("limit", query.PageSize);
        args.Add("offset", (long)(query.Page - 1) * query.PageSize);
        await using var db = await store.OpenAsync(cancellationToken);
        var total = await db.ExecuteScalarAsync<long>(new CommandDefinition($"SELECT count(*) FROM audit_logs{where}", args, cancellationToken: cancellationToken));
        var rows = await db.QueryAsync<Row>(new CommandDefinition(
            $"SELECT {Columns} FROM audit_logs{where} ORDER BY at DESC, id DESC LIMIT @limit OFFSET @offset", args, cancellationToken: cancellationToken));
        return (rows.Select(r => r.ToView()).ToList(), total);
    }

    /// <summary>
    /// Every record matching <paramref name="query"/> (paging ignored), newest first. Reads in batches of a few
    /// hundred rows, each its own short query, so a long export holds no read transaction open against the writers.
    /// </summary>
    public async IAsyncEnumerable<AuditLogView> ExportAsync(AuditQuery query, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        string? afterAt = null;
        long afterId = 0;
        while (true)
        {
            var where = Where(query);
            var args = where.Args;
            if (afterAt is not null)
            {
                where.And("at < @after_at OR (at = @after_at AND id < @after_id)");
                args.Add("after_at", afterAt);
                args.Add("after_id", afterId);
            }
            args.Add("limit", ExportBatch);
            List<Row> rows;
            await using (var db = await store.OpenAsync(cancellationToken))
            {
                rows = (await db.QueryAsync<Row>(new CommandDefinition(
                    $"SELECT {Columns} FROM audit_logs{where} ORDER BY at DESC, id DESC LIMIT @limit", args, cancellationToken: cancellationToken))).AsList();
            }
            foreach (var row in rows)
            {
                yield return row.ToView();
            }
            if (rows.Count < ExportBatch)
            {
                yield break;
            }
            (afterAt, afterId) = (rows[^1].at, rows[^1].id);
        }
    }

    private static SqlFilter Where(AuditQuery query) => new SqlFilter()
        .Equal("actor", query.Actor)
        .Equal("action", query.Action)
        .Equal("resource_type", query.ResourceType)
        .Equal("resource", query.Resource)
        .Equal("outcome", query.Outcome)
        .Between("at", query.StartDate, query.EndDate);

#pragma warning disable IDE1006 // column names
    private sealed class Row
    {
        public long id { get; set; }
        public string at { get; set; } = "";
        public string actor { get; set; } = "";
        public string? actor_id { get; set; }
        public string action { get; set; } = "";
        public string resource_type { get; set; } = "";
        public string? resource { get; set; }
        public string outcome { get; set; } = "";
        public long status_code { get; set; }
        public string? source_address { get; set; }
        public string? request { get; set; }

        public AuditLogView ToView() => new(
            id, at, actor, actor_id, action, resource_type, resource, outcome, (int)status_code, source_address, ParseRequest(request));

        private static JsonElement? ParseRequest(string? text)
        {
            if (text is null)
            {
                return null;
            }
            try
            {
                using var document = JsonDocument.Parse(text);
                return document.RootElement.Clone();
            }
            catch (JsonException)
            {
                // Written by AuditRedaction it is always JSON; anything else is shown as a string rather than dropped.
                return JsonSerializer.SerializeToElement(text);
            }
        }
    }
#pragma warning restore IDE1006
}
