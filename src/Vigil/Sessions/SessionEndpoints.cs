using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Adapters.Exec;
using Vigil.Hosting;
using Vigil.Identity;
using Vigil.Identity.Authentication;
using Vigil.Pipeline;
using Vigil.Sessions.Terminal;
using Vigil.Storage;

namespace Vigil.Sessions;

/// <summary>
/// <c>/api/sessions</c>: run a one-off command (<c>POST</c>), list sessions with filters, show one with its events,
/// export one as JSON or CSV.
/// </summary>
public static class SessionEndpoints
{
    /// <summary>Body of <c>POST /api/sessions</c>.</summary>
    /// <summary>
    /// The body of <c>POST /api/sessions</c>: <c>{connection, script, type?, client_name?, client_version?, tool?,
    /// wait_seconds?}</c>. <c>type</c> is <c>exec</c> (default) or <c>mcp</c> (an agent's MCP tool call; the client and
    /// tool fields are recorded with it and are refused without it). <c>wait_seconds</c> bounds the wait (see
    /// <see cref="ExecWait"/>).
    /// </summary>
    public sealed record ExecRequest(
        string? Connection, string? Script, string? Type = null, string? ClientName = null, string? ClientVersion = null, string? Tool = null,
        double? WaitSeconds = null);

    /// <summary>Maps the routes on the authenticated <c>/api</c> group.</summary>
    public static void MapSessionEndpoints(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/sessions");
        group.MapPost("/", ExecAsync);
        group.MapGet("/", ListAsync);
        group.MapGet("/{id}", ShowAsync);
        group.MapGet("/{id}/export", ExportAsync);
        group.MapTerminalEndpoints();
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
        var (options, invalid) = Options(request);
        if (invalid is not null)
        {
            return invalid;
        }
        var (response, refusal) = await exec.RunAsync(
            ApiAuthentication.Caller(http), request.Connection, request.Script, InternalRequests.ClientEndpoint(http), options!, cancellationToken);
        return refusal switch
        {
            SessionRefusal.UnknownConnection => Api.Problem(404, $"connection '{request.Connection}' not found"),
            SessionRefusal.Forbidden => Api.Problem(403, $"you may not use connection '{request.Connection}'"),
            SessionRefusal.ModeNotAllowed => Api.Problem(403, $"connection '{request.Connection}' does not allow one-off commands (access mode 'exec')"),
            // A command parked for review has not run: 202, with the review to follow.
            _ when response!.Status is SessionStatus.WaitingReview or ExecResponse.Running => TypedResults.Accepted($"/api/sessions/{response.Id}", response),
            _ => TypedResults.Ok(response),
        };
    }

    private static (ExecOptions? Options, ProblemHttpResult? Error) Options(ExecRequest request)
    {
        var type = request.Type is null ? SessionType.Exec : SessionTypes.Parse(request.Type);
        if (type is not (SessionType.Exec or SessionType.Mcp))
        {
            return (null, Api.Problem(400, "field 'type' must be exec or mcp"));
        }
        if (type == SessionType.Exec && (request.ClientName ?? request.ClientVersion ?? request.Tool) is not null)
        {
            return (null, Api.Problem(400, "fields 'client_name', 'client_version' and 'tool' describe an MCP call: send them with type mcp"));
        }
        if (new[] { request.ClientName, request.ClientVersion, request.Tool }.Any(v => v?.Length > MaxClientField))
        {
            return (null, Api.Problem(400, $"fields 'client_name', 'client_version' and 'tool' are at most {MaxClientField} characters"));
        }
        var (wait, badWait) = ExecWait.From(request.WaitSeconds);
        if (badWait is not null)
        {
            return (null, badWait);
        }
        var client = type == SessionType.Mcp ? new SessionClient(request.ClientName, request.ClientVersion, request.Tool) : null;
        return (new ExecOptions(type.Value, client, wait), null);
    }

    /// <summary>The longest client name, version or tool name recorded (they are self-reported).</summary>
    private const int MaxClientField = 200;

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
        if (type is not null && SessionTypes.Parse(type) is null)
        {
            return Api.Problem(400, $"query parameter 'type' must be one of {string.Join(", ", SessionTypes.All)}");
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
