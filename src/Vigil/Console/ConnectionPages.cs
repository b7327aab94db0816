using Vigil.Connections;
using Vigil.Identity.Groups;
using Vigil.Pipeline;
using Vigil.WebConsole.Pages;

namespace Vigil.WebConsole;

/// <summary>
/// <c>/connections</c>: the connections the caller may see (<see cref="ConnectionAccess.CanSee"/>, as
/// <c>GET /api/connections</c>), with their target, access and review settings; secrets appear only as set or unset
/// (<see cref="ConnectionView"/> never carries them). Admins create (<c>/connections/new</c>) and edit
/// (<c>/connections/{name}</c>) them through <see cref="ConnectionEndpoints.CreateConnectionAsync"/> and
/// <see cref="ConnectionEndpoints.ChangeConnectionAsync"/>, the API's own create and PATCH, for every connection type
/// (<see cref="ConnectionForm"/>); an empty write-only field keeps the stored secret.
/// </summary>
public static class ConnectionPages
{
    /// <summary>What the list shows.</summary>
    public sealed record ConnectionsModel(ConsoleContext Context, IReadOnlyList<ConnectionView> Connections);

    /// <summary>
    /// What the form page shows: <see cref="Stored"/> is the connection as stored (what its write-only fields hold, as
    /// set or unset), null for a new connection.
    /// </summary>
    public sealed record ConnectionModel(ConsoleContext Context, ConnectionView? Stored, ConnectionForm Form, string? Error, bool Saved = false, string? Tested = null)
    {
        /// <summary>The name of the connection being edited; null on the new-connection form.</summary>
        public string? Existing => Stored?.Name;
    }

    /// <summary>Maps the list, the form pages and their posts.</summary>
    public static void MapConnectionPages(this RouteGroupBuilder signedIn)
    {
        signedIn.MapGet("/connections", async (HttpContext http, ConnectionRepository connections, CancellationToken ct) =>
        {
            var context = ConsoleContext.Of(http);
            var visible = (await connections.ListAllAsync(ct)).Where(c => ConnectionAccess.CanSee(context.Caller, c)).Select(ConnectionView.From).ToList();
            return ConsolePage.Render<ConnectionsPage>(new ConnectionsModel(context, visible));
        });
        signedIn.MapGet("/connections/new", (HttpContext http, string? type) =>
        {
            var context = ConsoleContext.Of(http);
            var form = ConnectionForm.New(ConnectionRequest.SupportedTypes.Contains(type) ? type! : ConnectionTypes.Postgres);
            return ConnectionAccess.CanManage(context.Caller)
                ? ConsolePage.Render<ConnectionPage>(new ConnectionModel(context, null, form, null))
                : NotFoundPage.Forbidden(context, "Only admins may register connections.");
        });
        signedIn.MapGet("/connections/{name}", async (string name, HttpContext http, ConnectionRepository connections, CancellationToken ct) =>
        {
            var context = ConsoleContext.Of(http);
            var connection = await connections.FindAsync(name, ct);
            return connection is null || !ConnectionAccess.CanSee(context.Caller, connection)
                ? NotFoundPage.Render(context, $"Connection '{name}' was not found.")
                : Show(context, ConnectionView.From(connection), http.Request.Query["saved"] == "1");
        });
        signedIn.MapPost("/connections", CreateAsync);
        signedIn.MapPost("/connections/{name}", ChangeAsync);
        signedIn.MapPost("/connections/{name}/test", TestAsync);
    }

    /// <summary>
    /// Runs the gateway's connectivity test for the connection's type (<see cref="ConnectionEndpoints.TestConnectionAsync"/>,
    /// as <c>POST /api/connections/{name}/test</c>: admins only, audited with its outcome) and shows its one-line answer:
    /// what answered, or why it failed (502).
    /// </summary>
    private static async Task<IResult> TestAsync(string name, HttpContext http, ConnectionRepository repository, ConnectivityTester tester, CancellationToken ct)
    {
        var context = ConsoleContext.Of(http);
        var (result, problem) = await ConnectionEndpoints.TestConnectionAsync(http, context.Caller, name, repository, tester, ct);
        if (problem is not null)
        {
            return problem.StatusCode == StatusCodes.Status404NotFound
                ? NotFoundPage.Render(context, $"Connection '{name}' was not found.")
                : NotFoundPage.Forbidden(context, "Only admins may test connections.");
        }
        if (await repository.FindAsync(name, ct) is not { } tested)
        {
            // Deleted while it was being tested.
            return NotFoundPage.Render(context, $"Connection '{name}' was not found.");
        }
        var view = ConnectionView.From(tested);
        return result!.Ok
            ? ConsolePage.Render<ConnectionPage>(new ConnectionModel(context, view, ConnectionForm.From(view), null, Tested: result.Message))
            : ConsolePage.Render<ConnectionPage>(new ConnectionModel(context, view, ConnectionForm.From(view), result.Message), StatusCodes.Status502BadGateway);
    }

    private static async Task<IResult> CreateAsync(
        HttpContext http, ConnectionRepository repository, GroupRepository groups, TimeProvider time, CancellationToken ct)
    {
        var context = ConsoleContext.Of(http);
        var posted = await http.Request.ReadFormAsync(ct);
        var type = posted["type"].ToString();
        var form = ConnectionForm.Read(posted, ConnectionRequest.SupportedTypes.Contains(type) ? type : ConnectionTypes.Postgres);
        var (request, invalid) = form.ToRequest(posted);
        var (view, problem) = request is null ? (null, null) : await ConnectionEndpoints.CreateConnectionAsync(context.Caller, request, repository, groups, time, ct);
        if (view is not null)
        {
            return TypedResults.Redirect($"/connections/{Uri.EscapeDataString(view.Name)}?saved=1");
        }
        return ConsolePage.Render<ConnectionPage>(
            new ConnectionModel(context, null, form, invalid ?? problem!.ProblemDetails.Detail), problem?.StatusCode ?? StatusCodes.Status400BadRequest);
    }

    private static async Task<IResult> ChangeAsync(
        string name, HttpContext http, ConnectionRepository repository, GroupRepository groups, CommandPipeline pipeline, TimeProvider time, CancellationToken ct)
    {
        var context = ConsoleContext.Of(http);
        var posted = await http.Request.ReadFormAsync(ct);
        var existing = await repository.FindAsync(name, ct);
        if (existing is null)
        {
            return NotFoundPage.Render(context, $"Connection '{name}' was not found.");
        }
        var stored = ConnectionView.From(existing);
        var form = ConnectionForm.Read(posted, existing.Type) with { Name = name };
        var (request, invalid) = form.ToRequest(posted);
        // PATCH semantics: an empty write-only field keeps the stored value, a "remove" box takes it away; every other
        // field is on the form and replaces its value.
        var (view, problem) = request is null ? (null, null)
            : await ConnectionEndpoints.ChangeConnectionAsync(
                context.Caller, name, request, (r, current) => ConnectionForm.Removing(r.MergeOver(current), posted), repository, groups, pipeline, time, ct);
        if (view is not null)
        {
            return TypedResults.Redirect($"/connections/{Uri.EscapeDataString(view.Name)}?saved=1");
        }
        return ConsolePage.Render<ConnectionPage>(
            new ConnectionModel(context, stored, form, invalid ?? problem!.ProblemDetails.Detail), problem?.StatusCode ?? StatusCodes.Status400BadRequest);
    }

    private static IResult Show(ConsoleContext context, ConnectionView view, bool saved) =>
        ConsolePage.Render<ConnectionPage>(new ConnectionModel(context, view, ConnectionForm.From(view), null, saved));
}
