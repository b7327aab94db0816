using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Adapters.Exec;
using Vigil.Hosting;
using Vigil.Identity;
using Vigil.Identity.Authentication;
using Vigil.Pipeline;
using Vigil.Storage;

namespace Vigil.Sessions;

/// <summary>
/// <c>/api/sessions</c>: run a one-off command (<c>POST</c>), list sessions with filters, show one with its events,
/// export one as JSON or CSV.
/// </summary>
public static class SessionEndpoints
{
    /// <summary>Body of <c>POST /api/sessions</c>.</summary>
    public sealed record ExecRequest(string? Connection, string? Script);

    /// <summary>Maps the routes on the authenticated <c>/api</c> group.</summary>
    public static void MapSessionEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/sessions");
        group.MapPost("/", ExecAsync);
        group.MapGet("/", ListAsync);
        group.MapGet("/{id}", ShowAsync);
        group.MapGet("/{id}/export", ExportAsync);
    }

    private static async Task<Results<Ok<ExecResponse>, Accepted<ExecResponse>, ProblemHttpResult>> ExecAsync(
        HttpContext http, ExecService exec, CancellationToken cancellationToken)
    {
        var (request, error) = await Api.ReadBodyAsync<ExecRequest>(http.Request, cancellationToken);
        if (error is not null)
        {
            return error;
        }
        if (string.IsNullOrWhiteSpace(request!.Connection))
        {
            return Api.Problem(400, "missing field 'connection'");
        }
        if (string.IsNullOrWhiteSpace(request.Script))
        {
            return Api.Problem(400, "missing field 'script'");
        }
        var address = http.Connection.RemoteIpAddress is { } ip ? $"{ip}:{http.Connection.RemotePort}" : null;
        var (response, refusal) = await exec.RunAsync(ApiAuthentication.Caller(http), request.Connection, request.Script, address, cancellationToken);
        return refusal switch
        {
            SessionRefusal.UnknownConnection => Api.Problem(404, $"connection '{request.Connection}' not found"),
            SessionRefusal.Forbidden => Api.Problem(403, $"you may not use connection '{request.Connection}'"),
            SessionRefusal.ModeNotAllowed => Api.Problem(403, $"connection '{request.Connection}' does not allow one-off commands (access mode 'exec')"),
            // A command parked for review has not run: 202, with the review to follow.
            _ when response!.Status == SessionStatus.WaitingReview => TypedResults.Accepted($"/api/sessions/{response.Id}", response),
            _ => TypedResults.Ok(response),
        };
    }

    private static async Task<Results<Ok<Paged<SessionView>>, ProblemHttpResult>> ListAsync(
        HttpContext http, SessionRepository sessions, CancellationToken cancellationToken)
    {
        var (start, end, badDate) = Api.DateRange(http.Request);
        if (badDate is not null)
        {
            return badDate;
        }
        var type = Api.Query(http.Request, "type");
        var risk = Api.Query(http.Request, "risk_level");
        if (risk is not null && !Analysis.RiskLevels.TryParse(risk, out _))
        {
            return Api.Problem(400, "query parameter 'risk_level' must be low, medium or high");
        }
        if (type is not null and not ("exec" or "connect"))
        {
            return Api.Problem(400, "query parameter 'type' must be exec or connect");
        }
        var status = Api.Query(http.Request, "status");
        if (status is not null && !SessionStatus.All.Contains(status))
        {
            return Api.Problem(400, $"query parameter 'status' must be one of {string.Join(", ", SessionStatus.All)}");
        }
        var caller = ApiAuthentication.Caller(http);
        var (page, size) = Api.Paging(http.Request);
        // Non-auditors see their own sessions by user id, the key show and export check too: names and e-mails are reused.
        var (user, userId) = SessionQuery.Scope(caller, Api.Query(http.Request, "user"));
        var query = new SessionQuery(
            Api.Query(http.Request, "connection"), user, userId, type, status, risk?.ToLowerInvariant(), start, end, page, size, Api.Query(http.Request, "text"));
        var (items, total) = await sessions.ListAsync(query, cancellationToken);
        return TypedResults.Ok(new Paged<SessionView>(items, new PageInfo(total, page, size)));
    }

    private static async Task<Results<Ok<SessionView>, ProblemHttpResult>> ShowAsync(
        string id, HttpContext http, SessionRepository sessions, CancellationToken cancellationToken)
    {
        var session = await FindVisibleAsync(id, http, sessions, cancellationToken);
        return session is null ? Api.Problem(404, $"session '{id}' not found") : TypedResults.Ok(session);
    }

    private static async Task<IResult> ExportAsync(string id, HttpContext http, SessionRepository sessions, CancellationToken cancellationToken)
    {
        var format = http.Request.Query["format"].ToString() is { Length: > 0 } f ? f : "json";
        if (format is not ("json" or "csv"))
        {
            return Api.Problem(400, "query parameter 'format' must be json or csv");
        }
        var session = await FindVisibleAsync(id, http, sessions, cancellationToken);
        if (session is null)
        {
            return Api.Problem(404, $"session '{id}' not found");
        }
        var fileName = $"session-{id}.{format}";
        return format == "json"
            ? TypedResults.File(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(session, Api.Json), "application/json", fileName)
            : TypedResults.File(Encoding.UTF8.GetBytes(SessionCsv.Write(session)), "text/csv", fileName);
    }

    private static async Task<SessionView?> FindVisibleAsync(string id, HttpContext http, SessionRepository sessions, CancellationToken cancellationToken)
    {
        var caller = ApiAuthentication.Caller(http);
        var session = await sessions.FindAsync(id, cancellationToken);
        return session is not null && SessionQuery.Visible(caller, session) ? session : null;
    }
}
