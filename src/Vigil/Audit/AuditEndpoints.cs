using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Hosting;
using Vigil.Identity.Authentication;
using Vigil.Storage;

namespace Vigil.Audit;

/// <summary>
/// <c>/api/audit/logs</c>, for callers who may audit (admins and auditors; everyone else gets 403):
/// <c>GET /api/audit/logs</c> lists records newest first as <c>{data:[…], pages}</c>; <c>GET /api/audit/logs/export?format=json|csv</c>
/// downloads every match (JSON: an array of the same objects; CSV: RFC 4180 with a header row and the request as JSON text).
/// Both take the filters <c>actor</c>, <c>action</c>, <c>resource_type</c>, <c>resource</c>, <c>outcome</c>
/// (<c>success</c> or <c>failure</c>), <c>start_date</c> and <c>end_date</c> (RFC 3339, inclusive); a bad value is a 400.
/// </summary>
public static class AuditEndpoints
{
    /// <summary>The CSV export's header row, which is also its column order.</summary>
    public const string CsvHeader = "id,at,actor,actor_id,action,resource_type,resource,outcome,status_code,source_address,request";

    /// <summary>Maps the routes on the authenticated <c>/api</c> group.</summary>
    public static void MapAuditEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/audit/logs");
        group.MapGet("/", ListAsync);
        group.MapGet("/export", ExportAsync);
    }

    private static async Task<Results<Ok<Paged<AuditLogView>>, ProblemHttpResult>> ListAsync(
        HttpContext http, AuditLog log, CancellationToken cancellationToken)
    {
        var (query, problem) = Refusal(http) is { } forbidden ? (null, forbidden) : ParseQuery(http.Request);
        if (problem is not null)
        {
            return problem;
        }
        var (items, total) = await log.ListAsync(query!, cancellationToken);
        return TypedResults.Ok(new Paged<AuditLogView>(items, new PageInfo(total, query!.Page, query.PageSize)));
    }

    private static IResult ExportAsync(HttpContext http, AuditLog log)
    {
        var (query, problem) = Refusal(http) is { } forbidden ? (null, forbidden) : ParseQuery(http.Request);
        if (problem is not null)
        {
            return problem;
        }
        var format = http.Request.Query["format"].ToString() is { Length: > 0 } f ? f : "json";
        if (format is not ("json" or "csv"))
        {
            return Api.Problem(400, "query parameter 'format' must be json or csv");
        }
        var rows = log.ExportAsync(query!, http.RequestAborted);
        var fileName = $"audit-logs.{format}";
        return format == "json"
            ? TypedResults.Stream(stream => WriteJsonAsync(rows, stream, http.RequestAborted), "application/json", fileName)
            : TypedResults.Stream(stream => WriteCsvAsync(rows, stream, http.RequestAborted), "text/csv", fileName);
    }

    private static ProblemHttpResult? Refusal(HttpContext http) =>
        ApiAuthentication.Caller(http).CanAudit ? null : Api.Problem(403, "only admins and auditors may read the audit log");

    /// <summary>The filters and paging of the query string, or a 400 naming the bad parameter (the console's audit page reads the same ones).</summary>
    public static (AuditQuery? Query, ProblemHttpResult? Error) ParseQuery(HttpRequest request)
    {
        var (start, end, badDate) = Api.DateRange(request);
        if (badDate is not null)
        {
            return (null, badDate);
        }
        var outcome = Api.Query(request, "outcome");
        if (outcome is not (null or AuditLog.Success or AuditLog.Failure))
        {
            return (null, Api.Problem(400, $"query parameter 'outcome' must be {AuditLog.Success} or {AuditLog.Failure}"));
        }
        var (page, size) = Api.Paging(request);
        return (new AuditQuery(
            Api.Query(request, "actor"), Api.Query(request, "action"), Api.Query(request, "resource_type"), Api.Query(request, "resource"),
            outcome, start, end, page, size), null);
    }

    private static async Task WriteJsonAsync(IAsyncEnumerable<AuditLogView> rows, Stream stream, CancellationToken cancellationToken)
    {
        // The writer fills a buffer that goes out asynchronously: Kestrel refuses synchronous writes to the response.
        var buffer = new ArrayBufferWriter<byte>(64 * 1024);
        await using var json = new Utf8JsonWriter(buffer);
        json.WriteStartArray();
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            JsonSerializer.Serialize(json, row, Api.Json);
            if (buffer.WrittenCount >= 32 * 1024)
            {
                await stream.WriteAsync(buffer.WrittenMemory, cancellationToken);
                buffer.ResetWrittenCount();
            }
        }
        json.WriteEndArray();
        await json.FlushAsync(cancellationToken);
        await stream.WriteAsync(buffer.WrittenMemory, cancellationToken);
    }

    private static async Task WriteCsvAsync(IAsyncEnumerable<AuditLogView> rows, Stream stream, CancellationToken cancellationToken)
    {
        await using var writer = new StreamWriter(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), leaveOpen: true);
        var csv = new StringBuilder(CsvHeader).Append(Csv.LineEnd);
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            Csv.AppendRow(
                csv,
                row.Id.ToString(CultureInfo.InvariantCulture), row.At, row.Actor, row.ActorId, row.Action, row.ResourceType, row.Resource,
                row.Outcome, row.StatusCode.ToString(CultureInfo.InvariantCulture), row.SourceAddress, row.Request?.GetRawText());
            if (csv.Length >= 32 * 1024)
            {
                await writer.WriteAsync(csv, cancellationToken);
                csv.Clear();
            }
        }
        await writer.WriteAsync(csv, cancellationToken);
        await writer.FlushAsync(cancellationToken);
    }
}
