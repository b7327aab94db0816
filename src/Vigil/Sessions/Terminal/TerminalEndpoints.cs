using Microsoft.AspNetCore.Http.HttpResults;
using Vigil.Hosting;
using Vigil.Identity.Authentication;

namespace Vigil.Sessions.Terminal;

/// <summary>
/// <c>GET /api/sessions/{id}/terminals</c> (the session's terminal streams, <see cref="TerminalInfo"/>) and
/// <c>GET /api/sessions/{id}/terminal[?index=N]</c> (one stream as an asciicast v2 file, <c>application/x-asciicast</c>;
/// the first when no index is given). Visible to whoever may see the session (its owner, auditors, admins); anyone
/// else gets the 404 of a session that does not exist.
/// </summary>
public static class TerminalEndpoints
{
    /// <summary>Maps the routes on the <c>/api/sessions</c> group.</summary>
    public static void MapTerminalEndpoints(this RouteGroupBuilder sessions)
    {
        sessions.MapGet("/{id}/terminals", ListAsync);
        sessions.MapGet("/{id}/terminal", DownloadAsync);
    }

    private static async Task<Results<Ok<Listed>, ProblemHttpResult>> ListAsync(
        string id, HttpContext http, SessionRepository sessions, TerminalRepository terminals, CancellationToken cancellationToken)
    {
        if (!await VisibleAsync(id, http, sessions, cancellationToken))
        {
            return Api.Problem(404, $"session '{id}' not found");
        }
        return TypedResults.Ok(new Listed(await terminals.ListAsync(id, cancellationToken)));
    }

    /// <summary>The list's body: <c>{data: [...]}</c>.</summary>
    public sealed record Listed(IReadOnlyList<TerminalInfo> Data);

    private static async Task<IResult> DownloadAsync(
        string id, HttpContext http, SessionRepository sessions, TerminalRepository terminals, CancellationToken cancellationToken)
    {
        var indexText = http.Request.Query["index"].ToString();
        var index = 1;
        if (indexText.Length > 0 && (!int.TryParse(indexText, out index) || index < 1))
        {
            return Api.Problem(400, "query parameter 'index' must be a whole number from 1");
        }
        if (!await VisibleAsync(id, http, sessions, cancellationToken))
        {
            return Api.Problem(404, $"session '{id}' not found");
        }
        var list = await terminals.ListAsync(id, cancellationToken);
        if (list.Count == 0)
        {
            return Api.Problem(404, $"session '{id}' has no terminal recording");
        }
        if (index > list.Count)
        {
            return Api.Problem(404, $"session '{id}' has {list.Count} terminal recording(s); no index {index}");
        }
        var terminal = list[index - 1];
        return Results.Stream(
            stream => terminals.WriteCastAsync(id, terminal, stream, cancellationToken), TerminalRepository.MediaType, TerminalRepository.FileName(id, index));
    }

    private static async Task<bool> VisibleAsync(string id, HttpContext http, SessionRepository sessions, CancellationToken cancellationToken) =>
        await sessions.FindSummaryAsync(id, cancellationToken) is { } session && SessionQuery.Visible(ApiAuthentication.Caller(http), session);
}
